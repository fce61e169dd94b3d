"""济钢's annual evaluation (seed 000 篇1, issue 20 §2): twelve strategic users, two failing a gate,
the first three awarded 80万/50万/30万, two HQ people, a frozen year, the certificate read back."""
from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pypdfium2
import pytest

from vipdesk.companies.documents import certificate_pdf, results_xlsx
from vipdesk.companies.evaluation import measurement_set, year_approve, year_evaluate, year_review
from vipdesk.companies.models import AwardKind, Result, YearState
from vipdesk.core.errors import Conflict, PermissionDenied
from vipdesk.points.models import PointsEntry
from vipdesk.wallet.models import WalletEntry

from .helpers import by_name, jigang_year

pytestmark = pytest.mark.django_db

# By the weights (40 volume, 25 payment, 20 share, 15 cooperation; disputes a gate only):
# 山东 40 + 24.75 + 20 + 15 = 99.75; 济南 40×92/98 + 24.5 + 20×55/60 + 15×90/95 = 94.59;
# 青岛 40×88/98 + 25 + 20×45/60 + 15×92/95 = 90.44; 淄博 83.66 …
TOP = [("山东重型机械有限公司", "99.75", "800000"), ("济南汽车制造集团有限公司", "94.59", "500000"),
       ("青岛造船股份有限公司", "90.44", "300000")]


def _ranking(year):
    return [(r.company.name, r.rank, r.score) for r in year.results.filter(rank__isnull=False).order_by("rank").select_related("company")]


def test_jigang_year_disqualifies_two_ranks_ten_and_awards_the_first_three():
    year, companies, hq1, hq2 = jigang_year()
    results = year_evaluate(actor=hq1, year=year)
    assert len(results) == 12
    out = {r.company.name: r for r in Result.objects.filter(year=year).select_related("company")}
    disqualified = {name: r.reason for name, r in out.items() if r.disqualified}
    assert set(disqualified) == {"日照港口机械有限公司", "滨州压力容器有限公司"}
    assert disqualified["日照港口机械有限公司"] == "年度合作量为41000吨，低于门槛50000吨"
    assert disqualified["滨州压力容器有限公司"] == "质量异议为2次，高于上限0次"
    assert all(out[name].rank is None for name in disqualified)
    ranking = _ranking(year)
    assert [rank for _n, rank, _s in ranking] == list(range(1, 11))
    assert [(n, str(s)) for n, _r, s in ranking[:3]] == [(n, s) for n, s, _a in TOP]
    assert out["山东重型机械有限公司"].values["volume"] == "98000"  # the contacts' purchases, posted at the till

    year_review(actor=hq1, year=year)
    with pytest.raises(PermissionDenied):
        year_approve(actor=hq1, year=year)  # the reviewer may not approve too
    year_approve(actor=hq2, year=year)
    year.refresh_from_db()
    assert year.state == YearState.APPROVED and year.reviewed_by == hq1 and year.approved_by == hq2
    awarded = {r.company.name: (r.award_kind, r.award_amount) for r in year.results.filter(award_amount__isnull=False)}
    assert awarded == {n: (AwardKind.REBATE, Decimal(a)) for n, _s, a in TOP}


def test_rerunning_gives_the_same_ranking_and_an_approved_year_is_frozen():
    year, companies, hq1, hq2 = jigang_year()
    year_evaluate(actor=hq1, year=year)
    first = _ranking(year)
    year_evaluate(actor=hq2, year=year)
    assert _ranking(year) == first
    year_review(actor=hq2, year=year)
    year_approve(actor=hq1, year=year)
    with pytest.raises(Conflict):
        year_evaluate(actor=hq1, year=year)
    criterion = year.scheme.criteria.get(code="payment")
    with pytest.raises(Conflict):
        measurement_set(actor=hq1, year=year, company=by_name("日照港口机械有限公司"), criterion=criterion, value="100")
    assert _ranking(year) == first


def test_a_changed_figure_sends_a_reviewed_year_back_to_draft():
    year, companies, hq1, hq2 = jigang_year()
    year_evaluate(actor=hq1, year=year)
    year_review(actor=hq1, year=year)
    measurement_set(actor=hq1, year=year, company=by_name("德州管业有限公司"), criterion=year.scheme.criteria.get(code="share"),
                    value="26")
    year.refresh_from_db()
    assert year.state == YearState.DRAFT and year.reviewed_by is None
    with pytest.raises(Conflict):
        year_approve(actor=hq2, year=year)


@pytest.mark.parametrize("kind", [AwardKind.STORED_VALUE, AwardKind.POINTS])
def test_awards_as_stored_value_or_points_go_to_the_primary_contact(kind):
    year, companies, hq1, hq2 = jigang_year()
    year.scheme.award_kind = kind
    year.scheme.save()
    if kind == AwardKind.POINTS:
        year.scheme.awards.filter(rank=1).update(amount=8000)
    year_evaluate(actor=hq1, year=year)
    year_review(actor=hq1, year=year)
    year_approve(actor=hq2, year=year)
    first = year.results.get(rank=1)
    member = first.company.contacts.get(primary=True).member
    if kind == AwardKind.STORED_VALUE:
        entry = WalletEntry.objects.get(pk=int(first.award_reference.split(":")[1]))
        assert entry.account.member_id == member.pk and entry.bonus == Decimal("800000.00") and entry.principal == 0
        assert WalletEntry.objects.filter(kind="adjust").count() == 3
    else:
        entry = PointsEntry.objects.get(pk=int(first.award_reference.split(":")[1]))
        assert entry.account.member_id == member.pk and entry.points == 8000


def test_the_certificate_reads_in_chinese_and_the_results_xlsx_holds_the_ranking():
    year, companies, hq1, hq2 = jigang_year()
    year_evaluate(actor=hq1, year=year)
    with pytest.raises(Conflict):
        certificate_pdf(year, by_name(TOP[0][0]).pk)  # not before approval
    year_review(actor=hq1, year=year)
    year_approve(actor=hq2, year=year)
    pdf = pypdfium2.PdfDocument(certificate_pdf(year, by_name(TOP[1][0]).pk))
    text = pdf[0].get_textpage().get_text_range()
    pdf.close()
    flat = "".join(text.split())
    assert "荣誉证书" in flat and "济南汽车制造集团有限公司" in flat
    assert f"{year.year}年度" in flat and "荣获第2名" in flat and "50万元" in flat

    book = openpyxl.load_workbook(io.BytesIO(results_xlsx(year)))
    rows = list(book.active.iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1]) for r in rows[:3]] == [(1, TOP[0][0]), (2, TOP[1][0]), (3, TOP[2][0])]
    assert rows[0][-1] == 800000
    disqualified = [r for r in rows if r[0] is None]
    assert len(disqualified) == 2 and all(r[-3] for r in disqualified)
