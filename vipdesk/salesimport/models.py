"""A sales batch (R14.2): one file or JSON-lines body from a POS or an ERP, its outcome and its row report.

The file is kept in `payload` only until the queue has processed it (then emptied): the sales it
posted are the record, the report says what happened to every row.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from vipdesk.core.models import TimeStampedModel

from .choices import BatchFormat, BatchStatus


class SalesBatch(TimeStampedModel):
    filename = models.CharField(_("file"), max_length=200, blank=True)
    format = models.CharField(pgettext_lazy("file", "format"), max_length=10, choices=BatchFormat.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    api_client = models.ForeignKey("org.ApiClient", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    dry_run = models.BooleanField(_("dry run"), default=True)
    all_or_nothing = models.BooleanField(_("all or nothing"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    mapping = models.JSONField(default=dict, blank=True)
    payload = models.BinaryField(default=b"", blank=True)  # the file, until processed
    total_rows = models.PositiveIntegerField(default=0)       # data rows of the file (lines of a CSV, JSON lines)
    receipts = models.PositiveIntegerField(default=0)         # receipts (sales and returns) the rows make
    posted = models.PositiveIntegerField(default=0)           # receipts posted by this batch
    replayed = models.PositiveIntegerField(default=0)         # receipts posted before (same content): nothing changed
    failed = models.PositiveIntegerField(default=0)           # receipts refused
    report = models.JSONField(default=list, blank=True)       # [{"row": 3, "receipt": "SA01/R1", "field": "金额", "message": "…"}]
    error = models.TextField(blank=True)                      # a file-level refusal (unreadable, bad mapping…)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("sales batch")
        verbose_name_plural = _("sales batches")

    def __str__(self):
        return f"sales batch {self.pk}"
