"""Issue 20 §2: an evaluation programme's criteria and awards are data HQ edits (services and the
console through Django's test client); an approved year freezes the programme; a change sends the
open years back to be evaluated again."""
from decimal import Decimal

import pytest

from vipdesk.accounts.roles import Role
from vipdesk.api.tests.conftest import Api, _key
from vipdesk.audit.models import Event
from vipdesk.companies.evaluation import measurement_set, score_and_rank, year_approve, year_evaluate, year_open, year_review
from vipdesk.companies.models import AwardKind, Measurement, Scheme, YearState
from vipdesk.companies.presets import scheme_install
from vipdesk.companies.programmes import awards_set, criterion_remove, criterion_save, programme_copy, programme_frozen
from vipdesk.companies.services import agreement_add, company_create
from vipdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from vipdesk.testing.factories import StaffFactory

from .helpers import credit_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_hq(db):
    return StaffFactory(username="hq_one", role=Role.HQ_ADMIN), StaffFactory(username="hq_two", role=Role.HQ_ADMIN)


def _approved_year(scheme, hq1, hq2, year=2025):
    y = year_open(actor=hq1, scheme=scheme, year=year)
    year_evaluate(actor=hq1, year=y)
    year_review(actor=hq1, year=y)
    return year_approve(actor=hq2, year=y)


def test_add_change_and_remove_a_criterion(two_hq):
    hq, _other = two_hq
    scheme = scheme_install()
    added = criterion_save(actor=hq, scheme=scheme, data={"name": "技术交流次数", "unit": "次", "source": "entered", "weight": "10",
                                                         "gate_min": "2", "gate_max": ""})
    assert added.code not in {"volume", "payment"} and added.position > scheme.criteria.get(code="disputes").position
    assert (added.weight, added.gate_min, added.gate_max) == (Decimal("10"), Decimal("2"), None)
    changed = criterion_save(actor=hq, scheme=scheme, criterion=added, data={"name": "技术交流", "unit": "次", "source": "entered",
                                                                            "weight": "12.5", "gate_min": "", "gate_max": "20"})
    assert changed.pk == added.pk and changed.name == "技术交流" and changed.weight == Decimal("12.5") and changed.gate_min is None
    criterion_remove(actor=hq, scheme=scheme, criterion=changed)
    assert not scheme.criteria.filter(pk=added.pk).exists()
    verbs = list(Event.objects.filter(verb__startswith="evaluation.criterion").values_list("verb", flat=True))
    assert verbs.count("evaluation.criterion_saved") == 2 and "evaluation.criterion_removed" in verbs


@pytest.mark.parametrize("data, field", [
    ({"name": "", "weight": "10"}, "name"),
    ({"name": "年度合作量", "weight": "10"}, "name"),                       # the programme has one of this name
    ({"name": "新指标", "weight": "十"}, "weight"),
    ({"name": "新指标", "weight": "-1"}, "weight"),
    ({"name": "新指标", "weight": "1.234"}, "weight"),
    ({"name": "新指标", "weight": "0"}, "weight"),                         # weight 0 without a gate decides nothing
    ({"name": "新指标", "weight": "5", "gate_min": "10", "gate_max": "5"}, "gate_max"),
    ({"name": "新指标", "weight": "5", "source": "guess"}, "source"),
])
def test_a_bad_criterion_is_refused_beside_its_field(two_hq, data, field):
    scheme = scheme_install()
    count = scheme.criteria.count()
    with pytest.raises(ValidationFailed) as refused:
        criterion_save(actor=two_hq[0], scheme=scheme, data=data)
    assert field in refused.value.fields and scheme.criteria.count() == count


def test_unknown_fields_are_refused(two_hq):
    with pytest.raises(ValidationFailed):
        criterion_save(actor=two_hq[0], scheme=scheme_install(), data={"name": "新指标", "weight": "5", "code": "x"})


def test_the_last_weighted_criterion_cannot_go(two_hq):
    hq = two_hq[0]
    scheme = scheme_install()
    for c in scheme.criteria.filter(weight__gt=0).exclude(code="volume"):
        criterion_remove(actor=hq, scheme=scheme, criterion=c)
    with pytest.raises(Conflict):
        criterion_remove(actor=hq, scheme=scheme, criterion=scheme.criteria.get(code="volume"))
    with pytest.raises(ValidationFailed) as refused:
        criterion_save(actor=hq, scheme=scheme, criterion=scheme.criteria.get(code="volume"),
                       data={"name": "年度合作量", "source": "sales_quantity", "weight": "0", "gate_min": "50000"})
    assert "weight" in refused.value.fields
    assert scheme.criteria.get(code="volume").weight == Decimal("40")


def test_awards_by_rank_and_their_kind(two_hq):
    hq = two_hq[0]
    scheme = scheme_install()
    awards_set(actor=hq, scheme=scheme, data={"award_kind": "points", "awards": [{"rank": "2", "amount": "5000"}, {"rank": "1", "amount": "8000"}]})
    scheme.refresh_from_db()
    assert scheme.award_kind == AwardKind.POINTS
    assert [(a.rank, a.amount) for a in scheme.awards.all()] == [(1, Decimal("8000")), (2, Decimal("5000"))]
    with pytest.raises(ValidationFailed) as refused:
        awards_set(actor=hq, scheme=scheme, data={"award_kind": "points", "awards": [
            {"rank": "1", "amount": "100.5"}, {"rank": "1", "amount": "0"}, {"rank": "x", "amount": "1"}]})
    assert set(refused.value.fields) == {"awards.0.amount", "awards.1.rank", "awards.1.amount", "awards.2.rank"}
    with pytest.raises(ValidationFailed) as refused:
        awards_set(actor=hq, scheme=scheme, data={"award_kind": "gold", "awards": []})
    assert "award_kind" in refused.value.fields
    assert scheme.awards.count() == 2  # nothing changed


def test_an_approved_year_freezes_the_programme_and_a_copy_is_editable(two_hq):
    hq1, hq2 = two_hq
    scheme = scheme_install()
    assert not programme_frozen(scheme)
    _approved_year(scheme, hq1, hq2)
    assert programme_frozen(scheme)
    volume = scheme.criteria.get(code="volume")
    with pytest.raises(Conflict) as refused:
        criterion_save(actor=hq1, scheme=scheme, criterion=volume, data={"name": "年度合作量", "source": "sales_quantity", "weight": "50"})
    assert refused.value.code == "programme_frozen"
    with pytest.raises(Conflict):
        criterion_remove(actor=hq1, scheme=scheme, criterion=volume)
    with pytest.raises(Conflict):
        awards_set(actor=hq1, scheme=scheme, data={"award_kind": "rebate", "awards": [{"rank": 1, "amount": "1"}]})
    assert scheme.criteria.get(code="volume").weight == Decimal("40")
    copy = programme_copy(actor=hq1, scheme=scheme, name="VIP客户年度评价（2026）")
    assert [c.name for c in copy.criteria.all()] == [c.name for c in scheme.criteria.all()]
    assert [a.amount for a in copy.awards.all()] == [Decimal(800000), Decimal(500000), Decimal(300000)]
    criterion_save(actor=hq1, scheme=copy, criterion=copy.criteria.get(code="volume"),
                   data={"name": "年度合作量", "source": "sales_quantity", "weight": "50", "gate_min": "60000"})
    assert copy.criteria.get(code="volume").gate_min == Decimal(60000)
    with pytest.raises(Conflict):
        programme_copy(actor=hq1, scheme=scheme, name="VIP客户年度评价（2026）")


def test_a_change_sends_an_open_year_back_to_be_evaluated(two_hq):
    hq1, hq2 = two_hq
    scheme = scheme_install()
    company = company_create(actor=hq1, data={"name": "甲公司", "uscc": credit_code(1)})
    year = year_open(actor=hq1, scheme=scheme, year=2026)
    measurement_set(actor=hq1, year=year, company=company, criterion=scheme.criteria.get(code="payment"), value="95")
    year_evaluate(actor=hq1, year=year)
    year_review(actor=hq1, year=year)
    criterion_remove(actor=hq1, scheme=scheme, criterion=scheme.criteria.get(code="payment"))
    year.refresh_from_db()
    assert year.state == YearState.DRAFT and year.evaluated_at is None and year.reviewed_by is None
    assert not Measurement.objects.filter(year=year).exists()
    with pytest.raises(Conflict):
        year_review(actor=hq1, year=year)  # evaluated again first


def test_the_scoring_follows_an_edited_weight(two_hq):
    """The data drive the calculation: doubling a weight moves the ranking of two companies."""
    hq = two_hq[0]
    scheme = scheme_install()
    a = company_create(actor=hq, data={"name": "甲公司", "uscc": credit_code(1)})
    b = company_create(actor=hq, data={"name": "乙公司", "uscc": credit_code(2)})
    for c in scheme.criteria.exclude(code__in=["payment", "share"]):
        criterion_remove(actor=hq, scheme=scheme, criterion=c)
    payment, share = scheme.criteria.get(code="payment"), scheme.criteria.get(code="share")
    figures = {a.pk: {"payment": Decimal(100), "share": Decimal(20)}, b.pk: {"payment": Decimal(90), "share": Decimal(40)}}
    first = [r["company"] for r in sorted(score_and_rank([a, b], list(scheme.criteria.all()), figures), key=lambda r: r["rank"])]
    assert first[0] == b  # 甲 (25×100 + 20×50) ÷ 45 = 77.78 < 乙 (25×90 + 20×100) ÷ 45 = 94.44
    criterion_save(actor=hq, scheme=scheme, criterion=payment, data={"name": "按期付款率", "unit": "%", "source": "entered", "weight": "200"})
    ranked = sorted(score_and_rank([a, b], list(Scheme.objects.get(pk=scheme.pk).criteria.all()), figures), key=lambda r: r["rank"])
    assert ranked[0]["company"] == a and share.weight == Decimal(20)  # 甲 95.45 > 乙 90.91 with payment weighed 200


def test_only_hq_people_edit_a_programme(two_hq, store_a):
    scheme = scheme_install()
    manager = StaffFactory(username="mgr", role=Role.STORE_MANAGER, stores=[store_a])
    with pytest.raises(PermissionDenied):
        criterion_save(actor=manager, scheme=scheme, data={"name": "新指标", "weight": "5"})
    with pytest.raises(PermissionDenied):
        awards_set(actor=None, scheme=scheme, data={"award_kind": "rebate", "awards": []})


# ---- the console ---------------------------------------------------------------------------

def test_console_criterion_refused_beside_the_field_then_saved(client, two_hq):
    hq = two_hq[0]
    scheme = scheme_install()
    client.force_login(hq)
    assert client.get(f"/evaluation/programmes/{scheme.pk}/").status_code == 200
    page = client.post(f"/evaluation/programmes/{scheme.pk}/criteria/new/",
                       {"name": "技术交流", "unit": "次", "source": "entered", "weight": "abc"}).content.decode()
    assert 'id="error-weight"' in page and "请填写数字" in page and 'value="技术交流"' in page
    response = client.post(f"/evaluation/programmes/{scheme.pk}/criteria/new/",
                           {"name": "技术交流", "unit": "次", "source": "entered", "weight": "10", "gate_min": "2"})
    assert response.status_code == 302
    added = scheme.criteria.get(name="技术交流")
    assert added.gate_min == Decimal(2)
    edit = client.get(f"/evaluation/programmes/{scheme.pk}/criteria/{added.pk}/").content.decode()
    assert 'value="10"' in edit and f'"{added.code}"' not in edit and f">{added.code}<" not in edit  # no code names shown
    assert client.post(f"/evaluation/programmes/{scheme.pk}/criteria/{added.pk}/", {"step": "remove"}).status_code == 302
    assert not scheme.criteria.filter(name="技术交流").exists()


def test_console_awards_formset(client, two_hq):
    hq = two_hq[0]
    scheme = scheme_install()
    client.force_login(hq)
    base = {"awards-TOTAL_FORMS": "3", "awards-INITIAL_FORMS": "0", "award_kind": "stored_value",
            "awards-0-rank": "1", "awards-0-amount": "80000", "awards-1-rank": "2", "awards-1-amount": "-5",
            "awards-2-rank": "", "awards-2-amount": ""}
    response = client.post(f"/evaluation/programmes/{scheme.pk}/", base)
    assert response.status_code == 400 and 'id="error-awards-1-amount"' in response.content.decode()
    assert scheme.awards.count() == 3
    response = client.post(f"/evaluation/programmes/{scheme.pk}/", {**base, "awards-1-amount": "50000"})
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert scheme.award_kind == "stored_value" and [(a.rank, a.amount) for a in scheme.awards.all()] == [(1, 80000), (2, 50000)]


def test_console_points_awards_read_like_every_other_number(client, two_hq):
    """Points awards as 8,000 on the evaluation list, not 8000 (issue 15 item 11)."""
    hq = two_hq[0]
    scheme = scheme_install()
    awards_set(actor=hq, scheme=scheme, data={"award_kind": "points", "awards": [{"rank": "1", "amount": "8000"}]})
    client.force_login(hq)
    page = client.get("/evaluation/").content.decode()
    assert "8,000" in page and " 8000" not in page


def test_console_frozen_programme_is_read_only(client, two_hq):
    hq1, hq2 = two_hq
    scheme = scheme_install()
    _approved_year(scheme, hq1, hq2)
    client.force_login(hq1)
    page = client.get(f"/evaluation/programmes/{scheme.pk}/").content.decode()
    assert 'id="programme-frozen"' in page and 'id="criterion-add"' not in page and 'id="awards-form"' not in page
    volume = scheme.criteria.get(code="volume")
    page = client.post(f"/evaluation/programmes/{scheme.pk}/criteria/{volume.pk}/",
                       {"name": "年度合作量", "source": "sales_quantity", "weight": "50"}).content.decode()
    assert "不再改变" in page
    assert scheme.criteria.get(code="volume").weight == Decimal(40)


# ---- the API (read only) -------------------------------------------------------------------

def test_api_reads_the_years_and_one_year_s_results(two_hq, store_a):
    hq1, hq2 = two_hq
    scheme = scheme_install()
    company = company_create(actor=hq1, data={"name": "甲公司", "uscc": credit_code(1)})
    agreement_add(actor=hq1, company=company, data={"number": "JG-ZL-001", "title": "战略合作协议", "valid_from": "2026-01-01",
                                                    "valid_until": "2026-12-31"})
    year = year_open(actor=hq1, scheme=scheme, year=2026)
    measurement_set(actor=hq1, year=year, company=company, criterion=scheme.criteria.get(code="payment"), value="95")
    year_evaluate(actor=hq1, year=year)
    hq_api, auditor_api = Api(_key("ERP")), Api(_key("Audit tool", role=Role.AUDITOR))
    listed = hq_api.get("/api/v1/evaluation/years/")
    assert listed.status_code == 200 and [(y["year"], y["state"]) for y in listed.json()["results"]] == [(2026, "draft")]
    detail = hq_api.get(f"/api/v1/evaluation/years/{year.pk}/").json()
    assert [c["name"] for c in detail["criteria"]][:2] == ["年度合作量", "按期付款率"]
    assert detail["award_kind"] == "rebate" and detail["awards"][0] == {"rank": 1, "amount": "800000.00"}
    (result,) = detail["results"]
    assert result["company"]["name"] == "甲公司" and result["disqualified"] and "年度合作量" in result["reason"]
    assert result["values"]["payment"] == "95"
    assert auditor_api.get(f"/api/v1/evaluation/years/{year.pk}/").status_code == 403
    assert hq_api.get("/api/v1/evaluation/years/999999/").status_code == 404
