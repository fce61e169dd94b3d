"""Returns re-evaluate per policy; HQ override with reason and end date."""
import datetime as dt

import pytest
from django.utils.translation import override

from vipdesk.core import clock
from vipdesk.core.errors import PermissionDenied, ValidationFailed
from vipdesk.tiers.models import TierHistory
from vipdesk.tiers.overrides import tier_override
from vipdesk.tiers.retention import tier_run_daily

from .conftest import buy, code, give_back, install

pytestmark = pytest.mark.django_db


def test_returning_the_sale_that_bought_an_upgrade_takes_it_back(dept, member):
    buy(member, "3000.00", "2026-01-05")
    sale, outcome = buy(member, "17000.00", "2026-02-01")
    assert outcome.after.code == "DIAMOND"
    ret, outcome = give_back(sale, "17000.00", "2026-02-03")
    assert (outcome.before.code, outcome.after.code, outcome.changed) == ("DIAMOND", "SILVER", True)
    h = TierHistory.objects.get(member=member, reason="return")
    assert h.sale == ret and sale.receipt_no in h.note


def test_a_partial_return_lowers_only_as_far_as_the_remaining_spend(dept, member):
    buy(member, "3000.00", "2026-01-05")
    sale, _ = buy(member, "17000.00", "2026-02-01")
    _ret, outcome = give_back(sale, "12000.00", "2026-02-03")  # 8000 left in 12 months → gold
    assert outcome.after.code == "GOLD"


def test_a_small_partial_return_that_keeps_the_qualification_changes_nothing(dept, member):
    sale, _ = buy(member, "20500.00", "2026-02-01")
    _ret, outcome = give_back(sale, "500.00", "2026-02-02")
    assert not outcome.changed and outcome.after.code == "DIAMOND"


def test_returning_an_old_sale_that_bought_nothing_leaves_the_tier_to_the_policy(dept, member):
    old, _ = buy(member, "3000.00", "2025-06-01")            # silver
    buy(member, "20000.00", "2026-01-10")                    # diamond by this later sale
    _ret, outcome = give_back(old, "3000.00", "2026-01-12")
    assert not outcome.changed and code(member) == "DIAMOND"


def test_under_the_wait_policy_returns_do_not_lower_at_once(db, member):
    install("department-store", return_policy="wait")
    sale, _ = buy(member, "20000.00", "2026-02-01")
    _ret, outcome = give_back(sale, "20000.00", "2026-02-02")
    assert not outcome.changed and code(member) == "DIAMOND"


def test_hq_override_holds_until_its_end_date_then_reverts(member, hq):
    install("department-store", retention_policy="rolling", grace_months=0)
    buy(member, "3000.00", "2025-01-05")
    until = clock.today() + dt.timedelta(days=30)
    tier_override(actor=hq, member=member, level="GOLD", reason="重要客户维护", until=until)
    assert code(member) == "GOLD"
    h = TierHistory.objects.get(member=member, reason="override")
    assert h.actor == hq and "重要客户维护" in h.note
    tier_run_daily(on=until)                  # override still on: rolling policy does not touch it
    assert code(member) == "GOLD"
    result = tier_run_daily(on=until + dt.timedelta(days=1))
    assert result["overrides_ended"] == 1
    assert code(member) in ("SILVER", "PK")  # back to the level held before, then the policy applies
    assert TierHistory.objects.filter(member=member, reason="override_end").count() == 1


def test_an_override_needs_a_reason_and_a_future_end_date_in_chinese(dept, member, hq):
    with override("zh-hans"), pytest.raises(ValidationFailed) as exc:
        tier_override(actor=hq, member=member, level="GOLD", reason=" ", until=clock.today() - dt.timedelta(days=1))
    assert exc.value.fields["reason"] == ["请填写调整等级的原因。"]
    assert exc.value.fields["until"] == ["结束日期不能早于今天。"]


def test_only_hq_may_override(dept, member, manager_a):
    with pytest.raises(PermissionDenied):
        tier_override(actor=manager_a, member=member, level="GOLD", reason="x", until=clock.today())


def test_a_partial_return_that_undoes_the_entry_purchase_takes_back_the_entry_card_and_the_notes_say_so(dept, member):
    # Seed 000: 普卡 is issued on the receipt (首次消费满500元,3个月累计满1500元,凭借购物小票). It is exempt from
    # the retention review, but a return that leaves the purchase short of the rule takes it back (REVOKE).
    sale, outcome = buy(member, "1600.00", "2026-02-01")
    assert outcome.after.code == "PK"
    _ret, outcome = give_back(sale, "300.00", "2026-02-03")  # 1,300 left < 1,500
    assert (outcome.before.code, outcome.after, outcome.changed) == ("PK", None, True)
    assert "普卡一经办理不收回" not in dept.notes and "普卡亦然" in dept.notes
    assert "篇" not in dept.notes
