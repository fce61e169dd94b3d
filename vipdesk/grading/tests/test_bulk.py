"""The set-based writes (vipdesk/grading/bulk.py): the PostgreSQL path (COPY into a temporary table,
one INSERT … ON CONFLICT) and the portable path (bulk_create) give the same holdings, counts,
grades and level changes; a file sent again changes nothing on either; the streaming reader keeps
the file limits; tier_grade in bulk keeps overrides and writes one history row per change."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection

from vipdesk.core.clock import today
from vipdesk.core.errors import DomainError
from vipdesk.grading import bulk
from vipdesk.grading.imports import balance_import
from vipdesk.grading.models import BalanceImport, GradingRun, Holding, ManagerCredit, MonthGrade
from vipdesk.grading.run import grading_run
from vipdesk.members import importing as member_files
from vipdesk.performance.period import Month
from vipdesk.testing.factories import make_member
from vipdesk.tiers.choices import ChangeReason
from vipdesk.tiers.grading import tier_grade
from vipdesk.tiers.models import MemberTier, TierHistory

pytestmark = pytest.mark.django_db

HEADER = "客户号,日期,产品代码,产品名称,产品类型,余额,日均余额,中间业务收入,交易笔数,开户日期,到期日\n"


@pytest.fixture
def bank(db, store_a):
    call_command("init", preset="bank")


def _months(n: int) -> list[Month]:
    first = today().replace(day=1)
    out = []
    for _ in range(n):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        out.append(Month(first))
    return list(reversed(out))


def _file(rows: list[str]) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def _scenario(hq, customers) -> dict:
    """Two months of files (one corrected and one sent again as other bytes), graded; what is left."""
    first, second = _months(2)
    a, b, c = (m.member_no for m in customers)
    january = [f"{a},{first.last},D1,定期一年,定期,100000,2100000,12.50,3,{first.first},{first.last + dt.timedelta(days=200)}",
               f"{a},{first.last},F1,基金\tA,基金,\"1,000.50\",800,0,0,,",
               f"{b},{first.last},W1,理财,理财,600000,600000.004,1,1,,",
               f"{c},{first.last},C1,,卡,10,,,,,"]
    counts = []
    for rows in (january, january[:3] + [f"{c},{first.last},C1,,卡,20,,,,,", f"{c},{first.last},C2,,其他,5,,,,,"]):
        job = balance_import(actor=hq, filename="m.csv", data=_file(rows))
        counts.append((job.status, job.new_rows, job.updated_rows, job.unchanged_rows))
    before = list(Holding.objects.order_by("pk").values_list("pk", "balance", "source_id"))
    again = balance_import(actor=hq, filename="again.csv", data=_file(january[:3]) + b"\r\n")
    counts.append((again.status, again.new_rows, again.updated_rows, again.unchanged_rows))
    assert list(Holding.objects.order_by("pk").values_list("pk", "balance", "source_id")) == before  # nothing written
    balance_import(actor=hq, filename="feb.csv", data=_file([f"{a},{second.last},D1,定期一年,定期,100000,900000,0,0,,",
                                                             f"{b},{second.last},W1,理财,理财,600000,600000,0,0,,"]))
    runs = [grading_run(month=m) for m in (first, second)]
    fields = ("member__member_no", "on", "product_code", "product_name", "kind", "frequency", "balance", "average_balance",
              "fee_income", "activity", "opened_on", "maturity_on")
    return {"counts": counts, "runs": runs,
            "holdings": sorted(Holding.objects.values_list(*fields)),
            "grades": sorted(MonthGrade.objects.values_list("member__member_no", "month", "aum", "score", "band_code",
                                                            "level_code", "months_below")),
            "levels": sorted(MemberTier.objects.values_list("member__member_no", "level__code")),
            "history": sorted(TierHistory.objects.values_list("member__member_no", "from_level__code", "to_level__code",
                                                              "on", "reason", "note"), key=str)}


def _forget():
    for model in (TierHistory, MemberTier, GradingRun, ManagerCredit, MonthGrade, Holding, BalanceImport):
        model.objects.all().delete()


@pytest.mark.pgonly
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's")
def test_copy_path_and_portable_path_give_the_same_results(bank, hq, store_a, monkeypatch):
    customers = [make_member(store=store_a) for _ in range(3)]
    by_copy = _scenario(hq, customers)
    _forget()
    monkeypatch.setattr(bulk, "on_postgresql", lambda: False)  # the path SQLite takes, on the same database
    portable = _scenario(hq, customers)
    assert by_copy == portable
    assert by_copy["counts"] == [("committed", 4, 0, 0), ("committed", 1, 1, 3), ("committed", 0, 0, 3)]
    assert by_copy["history"] and by_copy["holdings"][1][3] == "基金\tA"  # a tab in a cell goes through COPY


def test_resent_rows_change_nothing_and_a_correction_counts_as_updated(bank, hq, store_a):
    customers = [make_member(store=store_a) for _ in range(3)]
    result = _scenario(hq, customers)
    assert result["counts"] == [("committed", 4, 0, 0), ("committed", 1, 1, 3), ("committed", 0, 0, 3)]
    assert len(result["holdings"]) == 7
    gold = [g for g in result["grades"] if g[4] == "JK"]
    assert gold and gold[0][0] == customers[0].member_no


def test_streaming_reader_keeps_the_limits(bank, hq, store_a, monkeypatch):
    customer = make_member(store=store_a)
    monkeypatch.setattr(member_files, "MAX_ROWS", 2)
    rows = [f"{customer.member_no},2026-05-31,P{i},,定期,1,,,,," for i in range(3)]
    with pytest.raises(DomainError) as caught:
        balance_import(actor=hq, filename="big.csv", data=_file(rows))
    assert caught.value.code == "file_too_large" and not Holding.objects.exists()
    with pytest.raises(DomainError) as caught:
        balance_import(actor=hq, filename="empty.csv", data=_file(["", ",,,"]))
    assert caught.value.code == "empty_file"
    job = balance_import(actor=hq, filename="two.csv", data=_file(rows[:2] + [""]))
    assert (job.status, job.new_rows) == ("committed", 2)


def test_tier_grade_in_bulk_keeps_overrides_and_writes_history(bank, store_a):
    moved, kept, same = (make_member(store=store_a) for _ in range(3))
    on = today()
    first = tier_grade(decisions={moved.pk: "JK", kept.pk: "YK", same.pk: None}, on=on, note="n")
    assert first == {"upgraded": 2, "downgraded": 0, "unchanged": 1, "kept_by_override": 0}
    MemberTier.objects.filter(pk=kept.pk).update(override_until=on + dt.timedelta(days=30))
    second = tier_grade(decisions={moved.pk: "PT", kept.pk: None, same.pk: None}, on=on, note="n")
    assert second == {"upgraded": 0, "downgraded": 1, "unchanged": 1, "kept_by_override": 1}
    assert MemberTier.objects.get(pk=kept.pk).level.code == "YK"
    row = MemberTier.objects.get(pk=moved.pk)
    assert (row.level.code, row.reached_on, row.evaluated_on) == ("PT", on, on)
    assert list(TierHistory.objects.filter(member=moved).order_by("id").values_list(
        "from_level__code", "to_level__code", "reason")) == [(None, "JK", ChangeReason.GRADING), ("JK", "PT", ChangeReason.GRADING)]
