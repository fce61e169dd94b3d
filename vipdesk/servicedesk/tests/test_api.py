"""/api/v1/tickets/: open (a retry with the same reference opens once), act, read; scoped like the
console; unknown fields and illegal moves refused with a code."""
import pytest

from vipdesk.accounts.roles import Role
from vipdesk.api.tests.conftest import Api
from vipdesk.org.services import api_client_create

pytestmark = pytest.mark.django_db


def key(name, **kw) -> Api:
    return Api(api_client_create(name=name, **kw)[1])


def test_a_ticket_over_the_api(kinds, store_a, store_b, member_a, desk_a):
    api = key("Desk A", store_code=store_a.code, role=Role.STORE_MANAGER)
    made = api.post("/api/v1/tickets/", {"kind": "delivery", "member": member_a.pk, "description": "送到小区门口",
                                         "reference": "POS-1"})
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["store"] == "SA01" and body["desk"] == "A-VIP" and body["status"] == "open" and body["source"] == "api"
    assert body["events"][0]["verb"] == "opened"
    again = api.post("/api/v1/tickets/", {"kind": "delivery", "member": member_a.pk, "reference": "POS-1"})
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    url = f"/api/v1/tickets/{body['id']}/actions/"
    early = api.post(url, {"action": "close", "satisfaction": 5})
    assert early.status_code == 409 and early.json()["code"] == "illegal_transition"
    assert api.post(url, {"action": "accept"}).json()["status"] == "accepted"
    assert api.post(url, {"action": "resolve"}).status_code == 400  # what was done is required
    assert api.post(url, {"action": "resolve", "note": "已送达"}).json()["status"] == "resolved"
    assert api.post(url, {"action": "close", "satisfaction": 9}).status_code == 400
    closed = api.post(url, {"action": "close", "satisfaction": 5}).json()
    assert closed["status"] == "closed" and closed["satisfaction"] == 5
    assert [e["verb"] for e in closed["events"]] == ["opened", "accepted", "resolved", "closed"]
    assert api.post("/api/v1/tickets/", {"kind": "delivery", "member": member_a.pk, "colour": "red"}).status_code == 400
    bad_kind = api.post("/api/v1/tickets/", {"kind": "nonsense", "member": member_a.pk})
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()["fields"]
    listed = api.get("/api/v1/tickets/?status=closed").json()
    assert [t["number"] for t in listed["results"]] == [body["number"]]
    other = key("Desk B", store_code=store_b.code, role=Role.STORE_MANAGER)
    assert other.get(f"/api/v1/tickets/{body['id']}/").status_code == 404
    assert other.post(url, {"action": "reply", "note": "x"}).status_code == 404
    assert other.get("/api/v1/tickets/").json()["results"] == []
    assert other.post("/api/v1/tickets/", {"kind": "delivery", "member": member_a.pk}).status_code == 404


def test_the_console_pages_speak_chinese(client, kinds, store_a, member_a, desk_a, guide_a, guide_b):
    from vipdesk.servicedesk.services import ticket_open

    ticket = ticket_open(actor=guide_a, kind_code="svip_request", member=member_a, description="订晚餐")
    client.force_login(guide_a)
    board = client.get("/tickets/").content.decode()
    assert "服务单" in board and ticket.number in board and "Service tickets" not in board
    detail = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "受理" in detail and "Accept" not in detail
    assert "陈美玲" not in detail  # the member is shown by number only
    assert "新建服务单" in client.get("/tickets/new/").content.decode()
    posted = client.post(f"/tickets/{ticket.pk}/", {"action": "accept"})
    assert posted.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "accepted"
    client.force_login(guide_b)
    assert client.get(f"/tickets/{ticket.pk}/").status_code == 404
    assert ticket.number not in client.get("/tickets/").content.decode()


def test_the_reports_page_shows_the_sla_figures(client, clock, kinds, store_a, member_a, desk_a, guide_a, hq):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from vipdesk.servicedesk.services import ticket_accept, ticket_open, ticket_resolve

    opened = dt.datetime(2026, 6, 17, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    clock.move_to(opened)
    ticket = ticket_open(actor=guide_a, kind_code="svip_request", member=member_a, opened_at=opened)
    ticket_accept(actor=guide_a, ticket=ticket)
    ticket_resolve(actor=guide_a, ticket=ticket, note="已办好")
    client.force_login(hq)
    html = client.get("/reports/?period=2026-06&scope=all").content.decode()
    assert "服务单时效" in html and 'id="table-tickets"' in html and desk_a.name in html and "100.0" in html
    assert 'id="table-tickets"' not in client.get("/reports/?period=2026-05&scope=all").content.decode()


def test_the_report_export_holds_the_sla_figures_of_ones_stores_only(client, clock, kinds, store_a, store_b, member_a, desk_a,
                                                                      guide_a, hq):
    """The XLSX of the reports page has a sheet of the SLA figures (per month, store and desk) — the
    page's rows; a store manager of B exports none of A's desks; the PDF carries the section too."""
    import datetime as dt
    import io
    from zoneinfo import ZoneInfo

    import openpyxl

    from vipdesk.servicedesk.services import ticket_accept, ticket_open, ticket_resolve
    from vipdesk.testing.factories import StaffFactory

    opened = dt.datetime(2026, 6, 17, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    clock.move_to(opened)
    done = ticket_open(actor=guide_a, kind_code="svip_request", member=member_a, opened_at=opened)
    ticket_accept(actor=guide_a, ticket=done)
    ticket_resolve(actor=guide_a, ticket=done, note="已办好")
    ticket_open(actor=guide_a, kind_code="svip_request", member=member_a, opened_at=opened)  # still open: past due later
    clock.move_to(opened + dt.timedelta(days=1))
    client.force_login(hq)
    response = client.get("/reports/export.xlsx?period=2026-06&scope=all")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "服务单时效" in book.sheetnames
    sheet = book["服务单时效"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("月份", "门店编号", "门店", "服务台", "开单数")
    assert rows[1] == ("2026-06", "SA01", "A店", desk_a.name, 2, 1, 1, 100.0, 1, 0, None)
    manager_b = StaffFactory(username="manager_b_sla", role=Role.STORE_MANAGER, stores=[store_b])
    client.force_login(manager_b)
    theirs = openpyxl.load_workbook(io.BytesIO(client.get("/reports/export.xlsx?period=2026-06").content))
    assert [r for r in theirs["服务单时效"].iter_rows(values_only=True)][1:] == []
    client.force_login(hq)
    pdf = client.get("/reports/export.pdf?period=2026-06&scope=all")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
