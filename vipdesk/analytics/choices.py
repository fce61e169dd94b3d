"""Classes a member is put in by the nightly snapshot (R8.1, R8.2, R4.7). Codes are stable
(they are stored in snapshots and in saved segment definitions); labels are what staff read."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class RfmSegment(models.TextChoices):
    """The eight RFM segments: R, F and M each high or low (see classify.py for "high")."""

    CHAMPION = "important_value", _("Important value")            # 重要价值 R高 F高 M高
    DEVELOP = "important_develop", _("Important to develop")       # 重要发展 R高 F低 M高
    KEEP = "important_keep", _("Important to keep")                # 重要保持 R低 F高 M高
    WIN_BACK = "important_win_back", _("Important to win back")    # 重要挽留 R低 F低 M高
    VALUE = "general_value", _("General value")                    # 一般价值 R高 F高 M低
    GENERAL_DEVELOP = "general_develop", _("General to develop")   # 一般发展 R高 F低 M低
    GENERAL_KEEP = "general_keep", _("General to keep")            # 一般保持 R低 F高 M低
    GENERAL_WIN_BACK = "general_win_back", _("General to win back")  # 一般挽留 R低 F低 M低


# (R high, F high, M high) → segment
RFM_SEGMENT_OF = {
    (True, True, True): RfmSegment.CHAMPION, (True, False, True): RfmSegment.DEVELOP,
    (False, True, True): RfmSegment.KEEP, (False, False, True): RfmSegment.WIN_BACK,
    (True, True, False): RfmSegment.VALUE, (True, False, False): RfmSegment.GENERAL_DEVELOP,
    (False, True, False): RfmSegment.GENERAL_KEEP, (False, False, False): RfmSegment.GENERAL_WIN_BACK,
}


class SplitRule(models.TextChoices):
    MEAN = "mean", _("Above the mean score")
    MIDDLE = "middle", _("Above the middle of the scale")


class AbcClass(models.TextChoices):
    A = "A", _("A: buys often and much")
    B = "B", _("B")
    C = "C", _("C")


class PyramidClass(models.TextChoices):
    PLATINUM = "platinum", _("Platinum")  # 白金层
    GOLD = "gold", _("Gold")              # 黄金层
    IRON = "iron", _("Iron")              # 钢铁层
    LEAD = "lead", _("Lead")              # 重铅层


class SpendClass(models.TextChoices):
    # The thresholds are settings (analytics config spend_a/b/c); the labels name the band, not a placeholder.
    A = "A", _("A: top band of annual spend")
    B = "B", _("B: second band of annual spend")
    C = "C", _("C: third band of annual spend")
    D = "D", _("D: lowest band of annual spend")


class Lifecycle(models.TextChoices):
    ACTIVE = "active", _("Active")
    ABOUT_TO_CHURN = "about_to_churn", _("About to churn")
    DORMANT = "dormant", _("Dormant")
    CHURNED = "churned", _("Churned")


# What `class_migration(kind, …)` can compare: the snapshot column and its classes.
MIGRATION_KINDS = {
    "rfm_segment": RfmSegment, "abc_class": AbcClass, "pyramid_class": PyramidClass,
    "spend_class": SpendClass, "lifecycle": Lifecycle, "svip": None,
}
