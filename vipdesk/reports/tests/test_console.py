"""The report page, its XLSX and PDF exports, scoping and the audit of exports."""
import io
import re
from decimal import Decimal

import pytest

from vipdesk.accounts.roles import Role
from vipdesk.audit.models import PiiAccess
from vipdesk.reports.figures import report
from vipdesk.reports.periods import parse_period, parse_scope
from vipdesk.testing.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hq_client(client, chain):
    client.force_login(chain["hq"])
    return client


def test_report_page_shows_each_section_with_its_chart(hq_client):
    response = hq_client.get("/reports/?period=2026-10&scope=all")
    assert response.status_code == 200
    html = response.content.decode()
    for section in ("vip-share", "price-bands", "brands", "categories", "demographics", "migration", "members", "liabilities",
                    "top-vips", "campaigns"):
        assert f'id="section-{section}"' in html
    assert html.count('data-chart="') == 12 and 'id="report-charts"' in html
    assert "/static/vendor/echarts/echarts.min.js" in html
    # Every script and stylesheet is ours; a substring test for "cdn" failed once on a random CSP nonce.
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    assert "33,500.00" in html  # October's VIP sales
    assert "李*来" in html and "李后来" not in html  # the top-VIP list is masked


def test_bad_period_falls_back_with_a_message(hq_client):
    response = hq_client.get("/reports/?period=2026-13")
    assert response.status_code == 200 and "2026-Q3" in response.content.decode()


def test_store_manager_cannot_widen_his_scope(client, chain):
    manager = StaffFactory(username="rep_mgr", role=Role.STORE_MANAGER, stores=[chain["stores"]["W1"]])
    client.force_login(manager)
    html = client.get("/reports/?period=2026-10&scope=E1").content.decode()
    assert "东一店" not in html.split('id="report-form"')[1].split("</form>")[0]  # not offered
    mine = report(parse_period("2026-10"), parse_scope(manager, "W1"))
    # asked for another store, he gets his own
    assert "西一店" in html and mine["vip_share"]["total_sales"]["current"] == "6200.00"


def test_xlsx_holds_the_figures_and_is_audited(hq_client, chain):
    import openpyxl

    before = PiiAccess.objects.count()
    response = hq_client.get("/reports/export.xlsx?period=2026-10&scope=region:EAST")
    assert response.status_code == 200 and response["Content-Disposition"].endswith('report-2026-10-region-EAST.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    figures = report(parse_period("2026-10"), parse_scope(chain["hq"], "region:EAST"))
    assert len(book.sheetnames) == 15 and book.sheetnames[-3] in ("服务单时效", "Service tickets: on time")
    assert book.sheetnames[-1] in ("VIP活动效果", "VIP event results")  # then marketing, then the VIP events
    vip = book.worksheets[1]
    rows = {r[0]: r for r in vip.iter_rows(min_row=2, values_only=True)}
    net = next(v for k, v in rows.items() if k in ("Net sales", "净销售额"))
    assert Decimal(str(net[1])) == Decimal(figures["vip_share"]["total_sales"]["current"])
    brands = book.worksheets[4]
    got = {r[0]: Decimal(str(r[1])) for r in brands.iter_rows(min_row=2, values_only=True)}
    assert got == {r["key"]: Decimal(r["amount"]) for r in figures["brands"]["rows"]}
    top = book.worksheets[10]
    assert [r[1] for r in top.iter_rows(min_row=2, values_only=True)] == [r["member_no"] for r in figures["top_vips"]["rows"]]
    access = PiiAccess.objects.order_by("-id").first()
    assert PiiAccess.objects.count() == before + 1 and access.kind == PiiAccess.Kind.EXPORT_MASKED
    assert "2026-10" in access.reason and access.row_count == len(figures["top_vips"]["rows"])


def test_pdf_renders_to_pages_with_ink(hq_client):
    pdfium = pytest.importorskip("pypdfium2")
    response = hq_client.get("/reports/export.pdf?period=2026-10&scope=all")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pdf = pdfium.PdfDocument(response.content)
    assert len(pdf) >= 2
    first = pdf[0].render(scale=1).to_pil().convert("L")
    dark = sum(first.histogram()[:128])
    assert dark > 2000  # text, tables and the Pareto drawing, not a blank page
    text = pdf[0].get_textpage().get_text_range()
    assert "2026-10" in text
