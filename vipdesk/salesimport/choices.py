from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DRY_RUN = "dry_run", _("Dry run")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


class BatchFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    JSONL = "jsonl", _("JSON lines")
