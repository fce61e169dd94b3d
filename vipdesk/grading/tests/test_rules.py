"""Issue 20 §3: the grading rules are data HQ edits — measures with weights, bands with their score
thresholds and each band's own hold period, the scheme's name — through scheme_update (the console
posts to it); refusals name their field."""
from __future__ import annotations

import pytest
from django.core.management import call_command

from vipdesk.accounts.roles import Role
from vipdesk.api.tests.conftest import Api, _key
from vipdesk.core.errors import PermissionDenied, ValidationFailed
from vipdesk.grading.imports import balance_import
from vipdesk.grading.models import Scheme
from vipdesk.grading.run import grading_run
from vipdesk.grading.services import scheme_spec, scheme_update
from vipdesk.testing.factories import make_member

from .test_seed_cases import _file, _level, _months_back

pytestmark = pytest.mark.django_db

BANDS = [{"level_code": "PT", "min_score": "50000"}, {"level_code": "YK", "min_score": "500000"},
         {"level_code": "JK", "min_score": "2000000", "hold_months": 1}]


@pytest.fixture
def bank(db, store_a):
    call_command("init", preset="bank", stdout=open("/dev/null", "w"))
    return Scheme.objects.get(active=True)


def test_a_band_keeps_its_own_hold_period_and_the_name_changes(bank, hq):
    scheme_update(actor=hq, scheme=bank, data={"name": "邮储分级（2027版）", "measures": {"aum": "1"}, "bands": BANDS})
    spec = scheme_spec(Scheme.objects.get(pk=bank.pk))
    assert spec["name"] == "邮储分级（2027版）"
    assert [(b["level_code"], b["hold_months"]) for b in spec["bands"]] == [("PT", None), ("YK", None), ("JK", 1)]


@pytest.mark.parametrize("hold", ["0", "x", "400", "-2"])
def test_a_bad_hold_period_is_refused_beside_its_band(bank, hq, hold):
    before = scheme_spec(bank)
    bands = [*BANDS[:2], {**BANDS[2], "hold_months": hold}]
    with pytest.raises(ValidationFailed) as refused:
        scheme_update(actor=hq, scheme=bank, data={"measures": {"aum": "1"}, "bands": bands})
    assert "hold_JK" in refused.value.fields
    assert scheme_spec(Scheme.objects.get(pk=bank.pk)) == before


def test_an_empty_name_is_refused(bank, hq):
    with pytest.raises(ValidationFailed) as refused:
        scheme_update(actor=hq, scheme=bank, data={"name": " ", "measures": {"aum": "1"}, "bands": BANDS})
    assert "name" in refused.value.fields


def test_a_gold_customer_is_lowered_after_the_gold_band_s_own_hold_period(bank, hq, store_a):
    """The scheme waits three months below; 金卡's own hold period of one month lowers her at once."""
    scheme_update(actor=hq, scheme=bank, data={"measures": {"aum": "1"}, "bands": BANDS, "downgrade_after_months": 3})
    customer = make_member(store=store_a)
    months = _months_back(2)
    for month, average in zip(months, ["2000000", "900000"]):
        job = balance_import(actor=hq, filename=f"{month.label}.csv",
                             data=_file([f"{customer.member_no},{month.last.isoformat()},D001,定期一年,定期,{average},{average},,"]))
        assert job.status == "committed", job.report
    grading_run(month=months[0])
    assert _level(customer) == "金卡"
    grading_run(month=months[1])
    assert _level(customer) == "银卡"


def test_only_hq_edits_the_rules(bank, guide_a):
    with pytest.raises(PermissionDenied):
        scheme_update(actor=guide_a, scheme=bank, data={"measures": {"aum": "1"}, "bands": BANDS})


def test_console_rules_refusal_beside_the_band_then_saved(client, bank, hq):
    client.force_login(hq)
    page = client.get("/grading/rules/").content.decode()
    assert 'id="grading-bands"' in page and 'name="hold_JK"' in page
    form = {"name": bank.name, "aum_measure": "average", "downgrade_after_months": "3", "maturity_lead_days": "7", "share_rule": "split",
            "measure_aum": "1", "band_PT": "50000", "band_YK": "500000", "band_JK": "2000000", "band_ZS": "6000000",
            "band_SB": "20000000", "hold_JK": "0"}
    page = client.post("/grading/rules/", form).content.decode()
    assert 'id="error-hold_JK"' in page
    assert Scheme.objects.get(pk=bank.pk).bands.get(level_code="JK").hold_months is None
    response = client.post("/grading/rules/", {**form, "hold_JK": "2", "name": "邮储分级"})
    assert response.status_code == 302
    scheme = Scheme.objects.get(pk=bank.pk)
    assert scheme.name == "邮储分级" and scheme.bands.get(level_code="JK").hold_months == 2
    assert 'value="2"' in client.get("/grading/rules/").content.decode()


def test_api_reads_a_customer_s_grade_within_scope(bank, hq, store_a, store_b):
    customer = make_member(store=store_a)
    month = _months_back(1)[0]
    balance_import(actor=hq, filename="m.csv", data=_file([f"{customer.member_no},{month.last.isoformat()},D001,定期一年,定期,2100000,2100000,,"]))
    grading_run(month=month)
    api = Api(_key("CRM"))
    answer = api.get(f"/api/v1/members/{customer.pk}/grade/")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["level"] == {"code": "JK", "name": "金卡"} and body["scheme"] == bank.name
    assert body["months"] == [{"month": month.first.strftime("%Y-%m"), "aum": "2100000.00", "score": "2100000.00", "band": "JK",
                               "level": "JK", "months_below": 0}]
    assert api.get(f"/api/v1/members/{customer.pk}/grade/?months=0").status_code == 400
    refused = api.get(f"/api/v1/members/{customer.pk}/grade/?colour=red")
    assert refused.status_code == 400 and refused.json()["code"] == "unknown_field"
    other_store = Api(_key("Store B desk", store_code=store_b.code))
    assert other_store.get(f"/api/v1/members/{customer.pk}/grade/").status_code == 404
