from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", pgettext_lazy("marketing campaign", "Stopped")  # the coupons' "Stopped" means switched off
    FINISHED = "finished", _("Finished")


# A campaign's life cycle as data: status → statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    CampaignStatus.DRAFT: frozenset({CampaignStatus.SCHEDULED}),
    CampaignStatus.SCHEDULED: frozenset({CampaignStatus.DRAFT, CampaignStatus.SENDING, CampaignStatus.STOPPED}),
    CampaignStatus.SENDING: frozenset({CampaignStatus.PAUSED, CampaignStatus.STOPPED, CampaignStatus.FINISHED}),
    CampaignStatus.PAUSED: frozenset({CampaignStatus.SENDING, CampaignStatus.STOPPED}),
    CampaignStatus.STOPPED: frozenset(),
    CampaignStatus.FINISHED: frozenset(),
}
EDITABLE = frozenset({CampaignStatus.DRAFT})


class Audience(models.TextChoices):
    SEGMENT = "segment", _("Saved segment")
    LEVEL = "level", _("Level")
    LIST = "list", _("Uploaded list")


class Group(models.TextChoices):
    TARGET = "target", _("Target")
    CONTROL = "control", _("Control group")
    EXCLUDED = "excluded", _("Not reachable")  # consent, address or weekly cap: neither sent to nor compared
