from django.db import models
from django.utils.translation import gettext_lazy as _


class ConditionKind(models.TextChoices):
    FIRST_PURCHASE = "first_purchase_amount", _("First purchase amount")
    SINGLE_PURCHASE = "single_purchase_amount", _("Single purchase amount within N months")
    ROLLING_SPEND = "rolling_window_spend", _("Spend over the last N months")
    QUARTER_SPEND = "calendar_quarter_spend", _("Spend in the calendar quarter")
    YEAR_SPEND = "calendar_year_spend", _("Spend in the calendar year")
    VISITS = "visits", _("Visits in the last N months")
    MANUAL_APPROVAL = "manual_approval", _("Manual approval")
    # The level is given by the multi-factor grading of imported figures (vipdesk.grading), never at posting.
    GRADED = "graded", _("Graded from imported balances and holdings")


# Kinds that look back over `months`; kinds that compare an `amount`.
WINDOWED = frozenset({ConditionKind.SINGLE_PURCHASE, ConditionKind.ROLLING_SPEND, ConditionKind.VISITS})
AMOUNTED = frozenset({ConditionKind.FIRST_PURCHASE, ConditionKind.SINGLE_PURCHASE, ConditionKind.ROLLING_SPEND,
                      ConditionKind.QUARTER_SPEND, ConditionKind.YEAR_SPEND})


class Combine(models.TextChoices):
    ALL = "all", _("All of")
    ANY = "any", _("Any of")


class RetentionPolicy(models.TextChoices):
    NEVER = "never", _("Never downgrade")
    ANNIVERSARY = "anniversary", _("At the anniversary of reaching the tier")
    YEAR_END = "year_end", _("At calendar year-end")
    ROLLING = "rolling", _("Rolling, after grace months")


class ReturnPolicy(models.TextChoices):
    REVOKE = "revoke", _("A return takes back the upgrade it paid for")
    WAIT = "wait", _("Returns wait for the retention policy")


class ChangeReason(models.TextChoices):
    UPGRADE = "upgrade", _("Upgrade at posting")
    RETURN = "return", _("Return")
    DOWNGRADE = "downgrade", _("Downgrade by retention policy")
    OVERRIDE = "override", _("HQ override")
    OVERRIDE_END = "override_end", _("Override ended")
    APPROVAL = "approval", _("Manual approval")
    GRADING = "grading", _("Multi-factor grading")


class BenefitPeriod(models.TextChoices):
    DAY = "day", _("per day")
    MONTH = "month", _("per month")
    YEAR = "year", _("per year")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
