"""The pure engine: no database."""
import datetime as dt
from decimal import Decimal

from vipdesk.tiers import engine
from vipdesk.tiers.presets import PRESETS
from vipdesk.tiers.config import _spec_rules

RULES = _spec_rules(PRESETS["department-store"])
BY = {r.code: r for r in RULES}


def m(**kw):
    kw.setdefault("spend", {})
    kw["spend"] = {k: Decimal(v) for k, v in kw["spend"].items()}
    if "first" in kw:
        kw["first_purchase"] = Decimal(kw.pop("first"))
    return engine.Metrics(**kw)


def test_months_clamp_to_the_end_of_the_month():
    assert engine.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert engine.add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert engine.window_start(dt.date(2026, 2, 28), 12) == dt.date(2025, 3, 1)


def test_quarter_bounds():
    assert engine.quarter_bounds(dt.date(2026, 5, 20)) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))


def test_qualify_department_store():
    assert engine.qualify(RULES, m(first="499.99", spend={3: "1500", 6: "1500", 12: "1500"})).level is None
    assert engine.qualify(RULES, m(first="500", spend={3: "1500", 6: "1500", 12: "1500"})).level.code == "PK"
    q = engine.qualify(RULES, m(first="500", spend={3: "0", 6: "0", 12: "40000"}))
    assert q.level.code == "DIAMOND" and q.awaiting_approval.code == "PURPLE"
    q = engine.qualify(RULES, m(first="500", spend={3: "0", 6: "0", 12: "40000"}, approved=frozenset({"PURPLE"})))
    assert q.level.code == "PURPLE" and q.awaiting_approval is None


def test_downgrade_target_floors_and_steps():
    kw = dict(current=BY["DIAMOND"], qualified=None)
    assert engine.downgrade_target(RULES, one_step=True, **kw).code == "GOLD"
    assert engine.downgrade_target(RULES, one_step=False, **kw).code == "PK"
    assert engine.downgrade_target(RULES, current=BY["SILVER"], qualified=BY["GOLD"], one_step=False).code == "SILVER"


def test_a_first_purchase_below_the_mark_cannot_be_made_up():
    gaps = engine.gaps(BY["PK"], m(first="300", spend={3: "200"}))
    first, three = gaps[0]
    assert first.short is None and three.short == Decimal("1300")
