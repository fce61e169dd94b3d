"""The posting path (`one_member_metrics`, summed in Python) and the daily job's aggregate query
(`member_metrics`) must see the same member the same way, whatever the history."""
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vipdesk.sales.models import Sale
from vipdesk.tiers.choices import ApprovalStatus
from vipdesk.tiers.models import Level, TierApproval
from vipdesk.tiers import engine
from vipdesk.tiers.metrics import member_metrics, one_member_metrics
from vipdesk.tiers.config import _spec_rules
from vipdesk.tiers.presets import PRESETS

from .conftest import SHANGHAI

# Every window kind at once: rolling spend, single purchase, visits, first purchase, quarter, year.
RULES = _spec_rules(PRESETS["department-store"]) + [
    engine.LevelRule(code="X", rank=9, groups=(engine.Group(conditions=(
        engine.Cond("single_purchase", Decimal("1"), 6), engine.Cond("visits", months=2, count=2),
        engine.Cond("quarter_spend", Decimal("1")), engine.Cond("year_spend", Decimal("1")))),)),
]
AS_OF = dt.date(2026, 5, 31)
# The days where an off-by-one would show: each window's first day, the day before, quarter and year starts.
EDGES = sorted({(d - AS_OF).days + k for d in [*(engine.window_start(AS_OF, m) for m in (2, 3, 6, 12, 24)),
                                                  dt.date(2026, 4, 1), dt.date(2026, 1, 1), AS_OF] for k in (-1, 0)})

purchases = st.lists(st.tuples(
    st.one_of(st.sampled_from(EDGES), st.integers(min_value=-800, max_value=10)),  # days from AS_OF (after it: not counted)
    st.integers(min_value=1, max_value=500_000),          # amount in fen
    st.sampled_from([0, 0, 0, 25, 50, 100]),              # percent returned
    st.sampled_from(["sale", "sale", "return"]),           # a return row itself counts for nothing
), max_size=25)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=purchases)
def test_one_member_metrics_equal_the_aggregate_query(member, history):
    Sale.objects.filter(member=member, kind="return").delete()
    Sale.objects.filter(member=member).delete()
    anchor = None
    for n, (days, fen, pct, kind) in enumerate(history):
        on = AS_OF + dt.timedelta(days=days)
        kind = kind if anchor else "sale"  # a return needs a sale to refer to
        amount = Decimal(fen) / 100
        Sale.objects.create(kind=kind, store=member.home_store, receipt_no=f"M{n}", member=member, business_date=on,
                            occurred_at=dt.datetime.combine(on, dt.time(9 + n % 10), tzinfo=SHANGHAI),
                            amount=amount, amount_paid=amount, returned_amount=(amount * pct / 100).quantize(Decimal("0.01")),
                            content_hash="x", original=anchor if kind == "return" else None)
        anchor = anchor or Sale.objects.filter(member=member, kind="sale").first()
    assert one_member_metrics(member.pk, as_of=AS_OF, levels=RULES) == member_metrics([member.pk], as_of=AS_OF, levels=RULES)[member.pk]


@pytest.mark.django_db
def test_the_levels_approved_by_hand_are_seen_alike_by_both_paths(dept, member):
    """The posting path reads her approvals in its one statement; only approved ones count, every one of them."""
    levels = {lv.code: lv for lv in Level.objects.filter(programme__active=True)}
    TierApproval.objects.create(member=member, level=levels["PURPLE"], status=ApprovalStatus.APPROVED, requested_on=AS_OF)
    TierApproval.objects.create(member=member, level=levels["DIAMOND"], status=ApprovalStatus.APPROVED, requested_on=AS_OF)
    TierApproval.objects.create(member=member, level=levels["GOLD"], status=ApprovalStatus.REJECTED, requested_on=AS_OF)
    TierApproval.objects.create(member=member, level=levels["SILVER"], status=ApprovalStatus.PENDING, requested_on=AS_OF)
    posting = one_member_metrics(member.pk, as_of=AS_OF, levels=RULES)
    assert posting.approved == frozenset({"PURPLE", "DIAMOND"})
    assert posting == member_metrics([member.pk], as_of=AS_OF, levels=RULES)[member.pk]
