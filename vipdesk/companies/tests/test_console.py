"""The console pages of issue 20 through Django's test client: masking for an auditor, the import's
report, the figures' XLSX on the year page."""
import io

import openpyxl
import pytest

from vipdesk.companies.models import Measurement
from vipdesk.companies.services import company_create, contact_add
from vipdesk.testing.factories import make_member

from .helpers import by_name, credit_code, jigang_year

pytestmark = pytest.mark.django_db


def _xlsx(rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_an_auditor_sees_contacts_masked_and_may_not_write(client, hq, auditor, store_a):
    company = company_create(actor=hq, data={"name": "甲公司", "uscc": credit_code(1)})
    buyer = make_member(store=store_a, name="王建国", mobile="13912340001")
    contact_add(actor=hq, company=company, member=buyer)
    client.force_login(auditor)
    page = client.get(f"/companies/{company.pk}/").content.decode()
    assert buyer.member_no in page and "13912340001" not in page and "王建国" not in page
    assert client.post(f"/companies/{company.pk}/", {"act": "contact", "member": buyer.mobile}).status_code == 403
    assert client.get("/companies/import/").status_code == 403
    client.force_login(hq)
    assert "13912340001" in client.get(f"/companies/{company.pk}/").content.decode()


def test_a_bad_credit_code_is_shown_beside_its_field(client, hq):
    client.force_login(hq)
    response = client.post("/companies/", {"name": "甲公司", "uscc": credit_code(1)[:-1] + "0"})
    assert response.status_code == 400
    assert "统一社会信用代码无效" in response.content.decode()


def test_the_import_page_shows_the_row_report(client, hq):
    client.force_login(hq)
    upload = _xlsx([["企业名称", "统一社会信用代码"], ["甲公司", "12345"]])
    upload.name = "客户.xlsx"
    page = client.post("/companies/import/", {"file": upload, "mode": "import"}).content.decode()
    assert "未导入" in page and "统一社会信用代码无效" in page


def test_the_figures_xlsx_is_all_or_nothing(client):
    year, companies, hq1, hq2 = jigang_year()
    client.force_login(hq1)
    before = dict(Measurement.objects.values_list("pk", "value"))
    upload = _xlsx([["统一社会信用代码", "按期付款率", "采购份额"], [credit_code(1), "88", "61"], ["91999999999999999X", "90", "10"],
                    [credit_code(2), "九十", "10"]])
    upload.name = "figures.xlsx"
    response = client.post(f"/evaluation/{year.pk}/", {"act": "figures", "file": upload})
    page = response.content.decode()
    assert response.status_code == 400 and "系统中没有这家企业" in page and "请填写数字" in page
    assert dict(Measurement.objects.values_list("pk", "value")) == before
    upload = _xlsx([["统一社会信用代码", "按期付款率"], [credit_code(1), "88%"]])
    upload.name = "figures.xlsx"
    assert client.post(f"/evaluation/{year.pk}/", {"act": "figures", "file": upload}).status_code == 302
    client.post(f"/evaluation/{year.pk}/", {"act": "evaluate"})
    first = year.results.get(company=by_name("山东重型机械有限公司"))
    assert first.disqualified and first.reason == "按期付款率为88%，低于门槛90%"
