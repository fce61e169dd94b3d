"""The monthly report of the demo chain in a real (headless Debian) Chromium: every chart drew on its
canvas, and the XLSX and PDF downloads open."""
import io

import pytest

from vipdesk.accounts.roles import Role
from vipdesk.console.tests.browser import MARKS, page, shot, nav_to  # noqa: F401  (page is a fixture)
from vipdesk.console.tests.conftest import PASSWORD
from vipdesk.demo.load import demo_load
from vipdesk.reports.periods import last_full_month
from vipdesk.testing.factories import StaffFactory

pytestmark = MARKS

# Counts the painted pixels of a chart's canvas (not transparent, not white).
INK = """el => {
  const canvas = el.querySelector('canvas');
  if (!canvas) return -1;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240)) ink++;
  }
  return ink;
}"""


@pytest.mark.django_db(transaction=True)
def test_monthly_report_of_the_demo_chain(live_server, page, settings, tmp_path):
    import openpyxl
    import pypdfium2 as pdfium

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    stats = demo_load(members=40)
    assert stats["members"] == 40
    StaffFactory(username="hq_report", role=Role.HQ_ADMIN)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "hq_report")
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/")

    nav_to(page, "nav-reports")
    page.wait_for_selector("html[data-charts-drawn]")
    month = last_full_month().label
    assert month in page.inner_text("h1")
    charts = page.query_selector_all("[data-chart]")
    assert len(charts) == 12
    for chart in charts:
        assert chart.evaluate(INK) > 500, chart.get_attribute("data-chart")
    assert page.inner_text("#stat-sales").startswith("¥")
    shot(page, "report-monthly.png")

    with page.expect_download() as xlsx:
        page.click("#report-xlsx")
    book = openpyxl.load_workbook(io.BytesIO(open(xlsx.value.path(), "rb").read()))
    assert len(book.sheetnames) == 15 and book.worksheets[0]["B1"].value == month and book.sheetnames[-3:] == ["服务单时效", "营销活动响应", "VIP活动效果"]

    with page.expect_download() as pdf_download:
        page.click("#report-pdf")
    pdf = pdfium.PdfDocument(open(pdf_download.value.path(), "rb").read())
    image = pdf[0].render(scale=1).to_pil().convert("L")
    assert sum(image.histogram()[:128]) > 2000
    assert month in pdf[0].get_textpage().get_text_range()
