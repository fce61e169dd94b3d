"""Console: complaints (list, file, move, assign) and the monthly performance page with days worked."""
import datetime as dt
import io

import openpyxl
import pytest

from vipdesk.feedback.models import Complaint
from vipdesk.feedback.services import categories_install_default, complaint_create
from vipdesk.performance.models import DaysWorked
from vipdesk.performance.services import staff_group_save
from vipdesk.performance.tests.helpers import sell
from vipdesk.testing.factories import StaffFactory, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def categories(db):
    return {c.code: c for c in categories_install_default()}


def test_complaint_filed_moved_and_scoped(client, categories, guide_a, manager_a, guide_b, store_a, store_b):
    client.force_login(guide_a)
    page = client.post("/complaints/new/", {"store": store_a.pk, "category": categories["product.defect"].pk,
                                            "channel": "in_store", "description": "拉链坏了"}, follow=True)
    complaint = Complaint.objects.get()
    assert page.status_code == 200 and complaint.number in page.content.decode() and complaint.owner == guide_a
    client.post(f"/complaints/{complaint.pk}/", {"to": "resolved", "remedy": "免费更换拉链"})
    assert Complaint.objects.get().status == "resolved"
    assert "closed" not in client.get(f"/complaints/{complaint.pk}/").context["moves"][0]  # the owner may not close
    client.force_login(manager_a)
    client.post(f"/complaints/{complaint.pk}/", {"to": "closed", "closure_note": "回访满意"})
    assert Complaint.objects.get().status == "closed"
    listed = client.get("/complaints/?status=closed").content.decode()
    assert complaint.number in listed and "投诉" in listed
    theirs = complaint_create(actor=guide_b, store=store_b, category=categories["service"], description="排队太久")
    client.force_login(manager_a)
    assert client.get(f"/complaints/{theirs.pk}/").status_code == 404
    assert theirs.number not in client.get("/complaints/?status=open").content.decode()


def test_performance_page_days_worked_and_export(client, store_a, manager_a, guide_a):
    one = StaffFactory(username="g1", display_name="1号", employee_no="E001", role="guide", stores=[store_a])
    five = StaffFactory(username="g5", display_name="5号", employee_no="E005", role="guide", stores=[store_a])
    staff_group_save(actor=manager_a, store=store_a, name="第一组", staff=[one, five])
    sell(store_a, dt.date(2026, 5, 3), "123456.78", member=make_member(actor=one, store=store_a, mobile="13600000001"))
    client.force_login(manager_a)
    client.post("/performance/days-worked/?store=SA01&month=2026-05", {f"days-{one.pk}": "26", f"days-{five.pk}": "22"})
    assert DaysWorked.objects.count() == 2
    page = client.get("/performance/?store=SA01&month=2026-05").content.decode()
    assert "¥668.72" in page and "¥565.84" in page and "提成" in page
    export = client.get("/performance/export.xlsx?store=SA01&month=2026-05")
    rows = list(openpyxl.load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 3
    client.force_login(guide_a)
    assert client.get("/performance/").status_code == 403
