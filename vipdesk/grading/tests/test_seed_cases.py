"""Issue 20 §3 seed cases (003 篇12, postal bank): graded 金 by an average AUM of 200万 and downgraded
after three months below; a maturity reminder 7 days before; a file sent again changes nothing;
业绩认定 split or primary-only; `vipdesk init --preset bank`."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from vipdesk.accounts.roles import Role
from vipdesk.care.models import CareTask
from vipdesk.core.clock import today
from vipdesk.core.errors import PermissionDenied, ValidationFailed
from vipdesk.grading.imports import balance_import
from vipdesk.grading.jobs import grading_run_daily
from vipdesk.grading.models import GradingRun, Holding, ManagerCredit, MonthGrade, Scheme
from vipdesk.grading.run import grading_run
from vipdesk.grading.services import co_manager_set, scheme_update
from vipdesk.members.models import Member
from vipdesk.performance.period import Month
from vipdesk.testing.factories import StaffFactory, make_member
from vipdesk.tiers.choices import ChangeReason
from vipdesk.tiers.models import MemberTier, TierHistory

pytestmark = pytest.mark.django_db

HEADER = "客户号,日期,产品代码,产品名称,产品类型,余额,日均余额,开户日期,到期日\n"


@pytest.fixture
def bank(db, store_a):
    call_command("init", preset="bank")
    return Scheme.objects.get(active=True)


def _months_back(n: int) -> list[Month]:
    """The n months before the current one, oldest first (built from the first of the month: no Feb 29 trap)."""
    first = today().replace(day=1)
    out = []
    for _ in range(n):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        out.append(Month(first))
    return list(reversed(out))


def _file(rows: list[str]) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def _level(member) -> str | None:
    row = MemberTier.objects.filter(pk=member.pk).select_related("level").first()
    return row.level.name if row and row.level else None


def test_graded_gold_by_average_aum_then_downgraded_after_three_months_below(bank, hq, store_a):
    customer = make_member(store=store_a)
    months = _months_back(5)
    averages = ["2000000", "900000", "900000", "900000", "2500000"]  # 200万, then three months at 90万, then back up
    for month, average in zip(months, averages):
        # a month-end balance far below the average: the scheme grades by the average daily balance
        job = balance_import(actor=hq, filename=f"{month.label}.csv", data=_file(
            [f"{customer.member_no},{month.last.isoformat()},D001,定期一年,定期,100000,{average},,"]))
        assert job.status == "committed", job.report
    results = [grading_run(month=m) for m in months[:1]]
    assert _level(customer) == "金卡"
    history = TierHistory.objects.get(member=customer)
    assert history.reason == ChangeReason.GRADING and history.to_level.name == "金卡"
    for month in months[1:3]:
        results.append(grading_run(month=month))
        assert _level(customer) == "金卡"  # below for one, then two months: kept
    assert [MonthGrade.objects.get(member=customer, month=m.first).months_below for m in months[:3]] == [0, 1, 2]
    results.append(grading_run(month=months[3]))
    assert _level(customer) == "银卡"  # the third month below: down to the band reached
    assert results[-1]["downgraded"] == 1
    assert TierHistory.objects.filter(member=customer, reason=ChangeReason.GRADING).count() == 2
    grading_run(month=months[3])  # a month run again changes nothing
    assert TierHistory.objects.filter(member=customer).count() == 2
    grading_run(month=months[4])
    assert _level(customer) == "金卡"  # upgrades are at once
    assert GradingRun.objects.count() == 5  # one per month, a month run again is the same run


def test_month_end_measure_uses_the_last_date(bank, hq, store_a):
    customer = make_member(store=store_a)
    month = _months_back(1)[0]
    scheme_update(actor=hq, scheme=bank, data={"aum_measure": "month_end", "downgrade_after_months": 3,
                                               "maturity_lead_days": 7, "share_rule": "split", "measures": {"aum": "1"},
                                               "bands": [{"level_code": "PT", "min_score": "50000"},
                                                         {"level_code": "YK", "min_score": "500000"}]})
    mid = month.first + dt.timedelta(days=10)
    balance_import(actor=hq, filename="daily.csv", frequency="daily", data=_file([
        f"{customer.member_no},{mid.isoformat()},A1,活期,活期,900000,,,",
        f"{customer.member_no},{month.last.isoformat()},A1,活期,活期,60000,,,"]))
    grading_run(month=month)
    assert MonthGrade.objects.get(member=customer).aum == Decimal("60000.00")
    assert _level(customer) == "普通"


def test_maturity_reminder_seven_days_before_for_the_manager(bank, hq, store_a, account_manager_a, clock):
    customer = make_member(store=store_a, owner=account_manager_a)
    maturity = today() + dt.timedelta(days=10)
    balance_import(actor=hq, filename="m.csv", data=_file(
        [f"{customer.member_no},{today().isoformat()},T88,三年定期,定期,300000,,2023-01-01,{maturity.isoformat()}"]))
    for days in range(0, 3):  # 10, 9, 8 days ahead: not yet
        assert grading_run_daily(on=today() + dt.timedelta(days=days))["maturity_reminders"] == 0
    on = maturity - dt.timedelta(days=7)
    assert grading_run_daily(on=on)["maturity_reminders"] == 1
    task = CareTask.objects.get(member=customer)
    assert (task.owner, task.due_on, task.kind) == (account_manager_a, on, "call")
    assert "三年定期" in task.script and "到期" in task.script
    assert grading_run_daily(on=on + dt.timedelta(days=1))["maturity_reminders"] == 0  # made once
    assert CareTask.objects.filter(member=customer).count() == 1


def test_maturity_reminders_respect_do_not_contact_and_a_refused_phone(bank, hq, store_a, account_manager_a, clock):
    """Issue 15 §14 holds for every call care is given: nobody who said 不联系 gets one, nor anybody who
    refused service calls on the phone; the script writes the balance as money is written everywhere."""
    from vipdesk.members.models import Consent

    called = make_member(store=store_a, owner=account_manager_a, name="陈美玲", mobile="13812340001")
    quiet = make_member(store=store_a, owner=account_manager_a, name="周静", mobile="13812340002", preferred_contact="none")
    refused = make_member(store=store_a, owner=account_manager_a, name="李静", mobile="13812340003")
    Consent.objects.create(member=refused, purpose="service", channel="phone", granted=False, source="console")
    maturity = today() + dt.timedelta(days=7)
    balance_import(actor=hq, filename="m.csv", data=_file(
        [f"{m.member_no},{today().isoformat()},T88,三年定期,定期,300000,,2023-01-01,{maturity.isoformat()}"
         for m in (called, quiet, refused)]))
    assert grading_run_daily(on=today())["maturity_reminders"] == 1
    task = CareTask.objects.get()
    assert task.member == called and "余额¥300,000.00" in task.script


def test_a_file_sent_again_changes_nothing(bank, hq, store_a):
    customer = make_member(store=store_a)
    data = _file([f"{customer.member_no},2026-05-31,D001,定期,定期,100000,120000,,",
                  f"{customer.member_no},2026-05-31,F002,基金,基金,50000,,,"])
    first = balance_import(actor=hq, filename="may.csv", data=data)
    assert (first.status, first.new_rows) == ("committed", 2)
    before = list(Holding.objects.values_list("pk", "balance", "source_id"))
    again = balance_import(actor=hq, filename="may-copy.csv", data=data)
    assert again.pk == first.pk and getattr(again, "duplicate", False)
    # the same rows in another file (another hash): recognised row by row, nothing written
    third = balance_import(actor=hq, filename="may.csv", data=data + b"\n")
    assert (third.new_rows, third.updated_rows, third.unchanged_rows) == (0, 0, 2)
    assert list(Holding.objects.values_list("pk", "balance", "source_id")) == before
    corrected = balance_import(actor=hq, filename="fix.csv", data=_file([f"{customer.member_no},2026-05-31,F002,基金,基金,55000,,,"]))
    assert corrected.updated_rows == 1 and Holding.objects.get(product_code="F002").balance == Decimal("55000.00")


def test_a_bad_row_refuses_the_whole_file_with_a_report(bank, hq, store_a):
    customer = make_member(store=store_a)
    job = balance_import(actor=hq, filename="bad.csv", data=_file([
        f"{customer.member_no},2026-05-31,D001,定期,定期,100000,,,",
        "NOSUCH,2026-05-31,D001,定期,定期,1,,,",
        f"{customer.member_no},2026-05-32,D002,定期,黄金,-5,,,",
        f"{customer.member_no},2026-05-31,D001,定期,定期,100000,,,"]))
    assert job.status == "refused" and Holding.objects.count() == 0
    found = {(e["row"], e["field"]) for e in job.report}
    assert {(3, "member_no"), (4, "on"), (4, "kind"), (4, "balance"), (5, "product_code")} <= found


def test_only_hq_imports_balances(bank, guide_a):
    with pytest.raises(PermissionDenied):
        balance_import(actor=guide_a, filename="x.csv", data=_file([]))


def test_manager_credit_split_or_primary_only(bank, hq, store_a, account_manager_a):
    second = StaffFactory(username="am_2", role=Role.ACCOUNT_MANAGER, stores=[store_a])
    customer = make_member(store=store_a, owner=account_manager_a)
    month = _months_back(1)[0]
    balance_import(actor=hq, filename="c.csv", data=_file([
        f"{customer.member_no},{month.last.isoformat()},W1,理财,理财,1000000,1000000,{month.first.isoformat()},"]))
    co_manager_set(actor=hq, member=customer, staff=second, share="0.4")
    grading_run(month=month)
    credits = {c.staff_id: (c.credited_balance, c.new_products) for c in ManagerCredit.objects.all()}
    assert credits == {account_manager_a.pk: (Decimal("600000.00"), Decimal("0.60")),
                       second.pk: (Decimal("400000.00"), Decimal("0.40"))}
    spec = {"aum_measure": "average", "downgrade_after_months": 3, "maturity_lead_days": 7, "share_rule": "primary",
            "measures": {"aum": "1"}, "bands": [{"level_code": "PT", "min_score": "50000"}]}
    scheme_update(actor=hq, scheme=bank, data=spec)
    grading_run(month=month)
    assert list(ManagerCredit.objects.values_list("staff_id", "credited_balance")) == [(account_manager_a.pk, Decimal("1000000.00"))]
    with pytest.raises(ValidationFailed):
        co_manager_set(actor=hq, member=customer, staff=second, share="1.2")


def test_scheme_refuses_bands_that_do_not_rise(bank, hq):
    with pytest.raises(ValidationFailed) as caught:
        scheme_update(actor=hq, scheme=bank, data={"measures": {"aum": "1"}, "bands": [
            {"level_code": "PT", "min_score": "50000"}, {"level_code": "YK", "min_score": "40000"}]})
    assert "band_YK" in caught.value.fields


def test_weighted_measures_telecom_style(bank, hq, store_a):
    """A telecom's VIP by monthly spend (fee) and tenure: score = 1 × fee + 20 × months of tenure."""
    scheme_update(actor=hq, scheme=bank, data={"measures": {"fee": "1", "tenure": "20"}, "bands": [
        {"level_code": "PT", "min_score": "100"}, {"level_code": "YK", "min_score": "600"}]})
    customer = make_member(store=store_a)
    Member.objects.filter(pk=customer.pk).update(enrolled_at=customer.enrolled_at - dt.timedelta(days=800))
    month = _months_back(1)[0]
    balance_import(actor=hq, filename="t.csv", data=(
        "客户号,日期,产品代码,余额,中间业务收入\n" f"{customer.member_no},{month.last.isoformat()},PLAN,0,300\n").encode())
    grading_run(month=month)
    grade = MonthGrade.objects.get(member=customer)
    assert grade.score >= Decimal("300") + 20 * 25 and _level(customer) == "银卡"


def test_init_bank_preset(db, capsys):
    call_command("init", preset="bank")
    out = capsys.readouterr().out
    assert "金卡≥200万" in out and "7 天" in out
    scheme = Scheme.objects.get(active=True)
    assert [(b.level_code, int(b.min_score)) for b in scheme.bands.order_by("min_score")] == [
        ("PT", 50000), ("YK", 500000), ("JK", 2000000), ("ZS", 6000000), ("SB", 20000000)]
