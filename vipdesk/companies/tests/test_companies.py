"""Organisation accounts (issue 20 §1): the credit code's check digit, contacts whose purchases count
for the company, agreements, the XLSX import's row-by-row report, the API."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from vipdesk.accounts.roles import Role
from vipdesk.api.tests.conftest import Api, _key
from vipdesk.companies import selectors
from vipdesk.companies.importing import company_import
from vipdesk.companies.models import Company
from vipdesk.companies.services import agreement_add, company_create, contact_add
from vipdesk.core import clock
from vipdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from vipdesk.testing.factories import make_member

from .helpers import buy, credit_code

pytestmark = pytest.mark.django_db


def test_the_credit_code_check_digit_is_verified(hq):
    good = credit_code(7)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationFailed) as refused:
        company_create(actor=hq, data={"name": "济南某公司", "uscc": bad})
    assert "uscc" in refused.value.fields
    company = company_create(actor=hq, data={"name": "济南某公司", "uscc": good.lower()})
    assert company.uscc == good  # kept upper-case, as printed on the licence
    with pytest.raises(Conflict):
        company_create(actor=hq, data={"name": "另一家", "uscc": good})


def test_only_hq_opens_an_account(manager_a, auditor):
    for actor in (manager_a, auditor):
        with pytest.raises(PermissionDenied):
            company_create(actor=actor, data={"name": "甲公司", "uscc": credit_code(1)})


def test_purchases_by_any_contact_count_for_the_company(hq, store_a):
    company = company_create(actor=hq, data={"name": "山东重型机械有限公司", "uscc": credit_code(1), "manager": "hq"})
    buyer, finance, outsider = make_member(store=store_a), make_member(store=store_a), make_member(store=store_a)
    contact_add(actor=hq, company=company, member=buyer.member_no, role="purchasing")
    contact_add(actor=hq, company=company, member=finance.mobile, role="finance")
    buy(buyer, 300, store_a)
    buy(finance, 200, store_a)
    buy(outsider, 999, store_a)
    today = clock.today()
    months = selectors.sales_by_month(company)
    assert months[-1]["month"] == f"{today.year}-{today.month:02d}"
    assert months[-1]["quantity"] == 500 and months[-1]["amount"] == Decimal("25000.00")
    assert sum(m["quantity"] for m in months[:-1]) == 0
    products = selectors.sales_by_product(company)
    assert [(p["sku"], p["quantity"]) for p in products] == [("HRC-Q235", 500)]
    assert company.contacts.get(member=buyer).primary  # the first contact is the primary one
    other = company_create(actor=hq, data={"name": "乙公司", "uscc": credit_code(2)})
    with pytest.raises(Conflict):
        contact_add(actor=hq, company=other, member=buyer)  # a member is the contact of one company


def test_agreement_status_follows_the_dates(hq):
    company = company_create(actor=hq, data={"name": "甲公司", "uscc": credit_code(3)})
    today = clock.today()
    agreement = agreement_add(actor=hq, company=company, data={"number": "A-1", "title": "战略合作协议", "valid_from": today - dt.timedelta(days=400),
                                                               "valid_until": today - dt.timedelta(days=1)})
    assert selectors.agreement_status(agreement) == "已到期"
    with pytest.raises(ValidationFailed) as refused:
        agreement_add(actor=hq, company=company, data={"number": "A-2", "title": "x", "valid_from": "2026-05-01", "valid_until": "2026-04-01"})
    assert "valid_until" in refused.value.fields


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_reports_row_by_row_and_writes_all_or_nothing(hq):
    header = ["企业名称", "统一社会信用代码", "行业", "地区", "客户经理"]
    bad = _xlsx([header, ["甲公司", credit_code(1), "机械", "济南", "hq"], ["乙公司", "913701000000000000", "机械", "济南", ""],
                 ["丙公司", credit_code(1), "", "", "nobody"]])
    job = company_import(actor=hq, data=bad, filename="客户.xlsx", dry_run=False)
    assert job.status == "rejected" and job.imported_rows == 0 and Company.objects.count() == 0
    assert [(r["row"], r["field"], r["message"]) for r in job.report] == [
        (3, "统一社会信用代码", "统一社会信用代码无效。"), (4, "统一社会信用代码", "与文件第 2 行重复。"), (4, "客户经理", "没有这名员工。")]
    good = _xlsx([header, ["甲公司", credit_code(1), "机械", "济南", "hq"], ["乙公司", credit_code(2), "", "", ""]])
    checked = company_import(actor=hq, data=good, filename="客户.xlsx", dry_run=True)
    assert checked.status == "dry_run" and checked.report == [] and Company.objects.count() == 0
    done = company_import(actor=hq, data=good, filename="客户.xlsx", dry_run=False)
    assert done.status == "completed" and done.imported_rows == 2
    assert Company.objects.get(name="甲公司").manager == hq


def test_api_lists_creates_and_shows_an_account(store_a):
    hq_api, auditor_api = Api(_key("ERP")), Api(_key("Audit tool", role=Role.AUDITOR))
    created = hq_api.post("/api/v1/companies/", {"name": "甲公司", "uscc": credit_code(4), "industry": "机械"})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    refused = hq_api.post("/api/v1/companies/", {"name": "乙公司", "uscc": credit_code(4)[:-1] + "0"})
    assert refused.status_code == 400 and "uscc" in refused.json()["fields"]
    unknown = hq_api.post("/api/v1/companies/", {"name": "乙公司", "uscc": credit_code(5), "colour": "red"})
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_field"
    assert auditor_api.post("/api/v1/companies/", {"name": "丙公司", "uscc": credit_code(6)}).status_code == 403
    listed = auditor_api.get("/api/v1/companies/")
    assert listed.status_code == 200 and [c["name"] for c in listed.json()["results"]] == ["甲公司"]
    detail = auditor_api.get(f"/api/v1/companies/{pk}/")
    assert detail.status_code == 200 and detail.json()["uscc"] == credit_code(4) and detail.json()["contacts"] == []
