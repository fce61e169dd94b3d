"""The stored-value ledger speaks of stored value, not points, though both say "Paid a purchase" in English."""
from django.utils import translation

from vipdesk.points.choices import EntryKind as PointsEntryKind
from vipdesk.wallet.choices import EntryKind


def test_a_stored_value_payment_is_not_labelled_as_points():
    with translation.override("zh-hans"):
        assert str(EntryKind.PAY.label) == "消费支付"
        assert str(PointsEntryKind.SPEND.label) == "积分支付"
    with translation.override("en"):
        assert str(EntryKind.PAY.label) == "Paid a purchase"
