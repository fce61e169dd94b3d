"""The VIP events' results on the reports page and in its XLSX (issue 18 §2, "VIP活动效果"): each
event held in the period, its figures those of vipdesk.events.results.event_results (the event's
own results page), scoped — an event shows in a scope when every one of its stores is in it, an
event of the whole chain only in the chain's scope."""
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection

from vipdesk.events.door import check_in
from vipdesk.events.results import event_results, events_held
from vipdesk.events.rsvp import rsvp_by_staff
from vipdesk.events.services import event_cancel, event_finish, event_open, event_save
from vipdesk.events.tests.conftest import event_data, vip
from vipdesk.points.models import PointsPolicy
from vipdesk.sales.models import Sale
from vipdesk.testing.clock import SHANGHAI
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.presets import PRESETS

pytestmark = pytest.mark.django_db
PLANNED = dt.datetime(2026, 10, 1, 10, 0, tzinfo=SHANGHAI)
AFTER = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)  # every window (the event + 7 days) is over
_receipts = iter(range(1, 10_000))


def _sale(member, store, at, amount, returned="0"):
    return Sale.objects.create(store=store, receipt_no=f"ER{next(_receipts):06d}", occurred_at=at,
                               business_date=at.astimezone(SHANGHAI).date(), member=member, amount=Decimal(amount),
                               amount_paid=Decimal(amount), returned_amount=Decimal(returned), content_hash="x")


def _event(actor, name, stores, starts_at, **over):
    data = event_data(name=name, stores=stores, starts_at=starts_at.isoformat(), ends_at=(starts_at + dt.timedelta(hours=3)).isoformat(),
                      capacity="10", guests_allowed="1", points="0", levels=["GOLD"], **over)
    return event_open(actor=actor, event=event_save(actor=actor, data=data))


def _hold(event, staff, members, came, clock, store):
    """Members accept (one guest each); `came` of them check in; sales in and out of the window."""
    for m in members:
        rsvp_by_staff(actor=staff, event=event, member=m, answer="accept", guests=1)
    clock.move_to(event.starts_at + dt.timedelta(minutes=20))
    for m in members[:came]:
        check_in(actor=staff, event=event, code=m.mobile, guests=1)
    for i, m in enumerate(members):
        _sale(m, store, event.starts_at + dt.timedelta(minutes=40 + i), f"{1000 + 100 * i}.00", returned="200.00" if i == 1 else "0")
        _sale(m, store, event.ends_at + dt.timedelta(days=7), "777.00")  # the window is half-open: not counted
    clock.move_to(event.ends_at + dt.timedelta(minutes=5))
    return event_finish(actor=staff, event=event)


@pytest.fixture
def held(clock, hq, manager_a, store_a, store_b):
    """October 2026: 奥迪之夜 at store A (6 invited, 5 accept, 3 come), 秋季沙龙 at store B (4 invited,
    all accept, 2 come), 全店答谢会 for the whole chain (every 金卡: 10, nobody replies); a cancelled
    event and a November event that must not show."""
    clock.move_to(PLANNED)
    programme_install(spec=PRESETS["department-store"])
    PointsPolicy.objects.get_or_create(code="default")
    a = [vip(store_a, f"甲店金卡{i}", "GOLD", points=0) for i in range(6)]
    b = [vip(store_b, f"乙店金卡{i}", "GOLD", points=0) for i in range(4)]
    night = _event(manager_a, "奥迪之夜", ["SA01"], dt.datetime(2026, 10, 17, 19, 0, tzinfo=SHANGHAI))
    salon = _event(hq, "秋季沙龙", ["SB01"], dt.datetime(2026, 10, 24, 14, 0, tzinfo=SHANGHAI), kind="salon")
    chain = _event(hq, "全店答谢会", [], dt.datetime(2026, 10, 28, 18, 0, tzinfo=SHANGHAI), kind="appreciation")
    dropped = _event(hq, "取消的活动", ["SA01"], dt.datetime(2026, 10, 20, 18, 0, tzinfo=SHANGHAI))
    event_cancel(actor=hq, event=dropped)
    november = _event(hq, "十一月沙龙", ["SA01"], dt.datetime(2026, 11, 3, 18, 0, tzinfo=SHANGHAI))
    _hold(night, manager_a, a[:5], 3, clock, store_a)
    _hold(salon, hq, b, 2, clock, store_b)
    clock.move_to(AFTER)
    return {"night": night, "salon": salon, "chain": chain, "november": november, "a": a, "b": b}


def _section(html: str) -> str:
    return html.split('id="section-events"')[1].split("</section>")[0]


def _sql_attendees_net(event) -> Decimal:
    """The attendees' net sales in the window straight from the tables."""
    end = event.ends_at + dt.timedelta(days=event.results_days)
    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(SUM(s.amount - s.returned_amount), 0) FROM sales_sale s JOIN events_invitation i "
                    "ON i.member_id = s.member_id WHERE i.event_id = %s AND i.status = 'attended' AND s.kind = 'sale' "
                    "AND s.amount > s.returned_amount AND s.occurred_at >= %s AND s.occurred_at < %s",
                    [event.pk, connection.ops.adapt_datetimefield_value(event.starts_at), connection.ops.adapt_datetimefield_value(end)])
        return Decimal(cur.fetchone()[0]).quantize(Decimal("0.01"))


def test_the_rows_are_each_events_own_results(held):
    rows = events_held(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert [r["name"] for r in rows] == ["奥迪之夜", "秋季沙龙", "全店答谢会"]  # not the cancelled one, not November's
    for row in rows:
        own = event_results(row["event"])
        for key in ("invited", "accepted", "attended", "walk_ins", "no_shows", "guests", "attendees", "others", "cost",
                    "cost_per_attendee", "incremental_sales", "roi", "window"):
            assert row[key] == own[key], (row["name"], key)
    night = rows[0]
    assert (night["invited"], night["accepted"], night["attended"], night["no_shows"]) == (6, 5, 3, 2)
    assert night["attendees"]["net_sales"] == _sql_attendees_net(held["night"]) == Decimal("1000.00") + Decimal("900.00") + Decimal("1200.00")
    assert night["roi_pct"] == f"{night['roi'] * 100:.1f}" and night["stores"] == "A店"
    assert rows[2]["stores"] == "" and rows[2]["invited"] == 10 and rows[2]["attended"] == 0


def test_the_page_shows_each_event_for_hq(client, hq, held):
    client.force_login(hq)
    html = client.get("/reports/?period=2026-10&scope=all").content.decode()
    section = _section(html)
    assert "VIP活动效果" in section
    for name in ("奥迪之夜", "秋季沙龙", "全店答谢会"):
        assert name in section
    assert "取消的活动" not in section and "十一月沙龙" not in section
    r = event_results(held["night"])
    assert f"¥{r['attendees']['net_sales']:,.2f}" in section and f"¥{r['cost_per_attendee']:,.2f}" in section
    assert f"{r['roi'] * 100:.1f}%" in section
    assert "3100.00" not in section  # money in the one format
    november = _section(client.get("/reports/?period=2026-11&scope=all").content.decode())
    assert "奥迪之夜" not in november and "十一月沙龙" in november


def test_a_store_manager_sees_his_stores_events_only(client, manager_a, store_a, held):
    client.force_login(manager_a)
    section = _section(client.get("/reports/?period=2026-10&scope=all").content.decode())
    assert "奥迪之夜" in section
    assert "秋季沙龙" not in section and "全店答谢会" not in section  # another store's; the whole chain's members
    assert [r["name"] for r in events_held(dt.date(2026, 10, 1), dt.date(2026, 10, 31), store_ids=[store_a.pk])] == ["奥迪之夜"]


def test_a_region_or_store_scope_of_hq(client, hq, store_b, held):
    client.force_login(hq)
    section = _section(client.get("/reports/?period=2026-10&scope=store:SB01").content.decode())
    assert "秋季沙龙" in section and "奥迪之夜" not in section and "全店答谢会" not in section


def test_the_xlsx_sheet_holds_the_page_rows(client, manager_a, hq, held):
    client.force_login(hq)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/reports/export.xlsx?period=2026-10&scope=all").content))
    sheet = book["VIP活动效果"]
    headers = [c.value for c in sheet[1]]
    rows = {row[0]: dict(zip(headers, row)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"奥迪之夜", "秋季沙龙", "全店答谢会"}
    r = event_results(held["night"])
    night = rows["奥迪之夜"]
    assert (night["已邀请"], night["已报名"], night["已到场"], night["未到场"]) == (r["invited"], r["accepted"], r["attended"], r["no_shows"])
    assert Decimal(str(night["到场会员净销售额"])) == r["attendees"]["net_sales"]
    assert Decimal(str(night["人均成本"])) == r["cost_per_attendee"]
    assert night["投资回报率 %"] == f"{r['roi'] * 100:.1f}" or float(night["投资回报率 %"]) == pytest.approx(float(r["roi"] * 100), abs=0.05)
    client.force_login(manager_a)
    mine = openpyxl.load_workbook(io.BytesIO(client.get("/reports/export.xlsx?period=2026-10&scope=all").content))["VIP活动效果"]
    assert [row[0] for row in mine.iter_rows(min_row=2, values_only=True)] == ["奥迪之夜"]


def test_the_pdf_carries_the_events_table(client, hq, held):
    import os

    pdfium = pytest.importorskip("pypdfium2")
    client.force_login(hq)
    response = client.get("/reports/export.pdf?period=2026-10&scope=all")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pdf = pdfium.PdfDocument(response.content)
    pages = [i for i in range(len(pdf)) if "VIP活动效果" in pdf[i].get_textpage().get_text_range()]
    assert pages
    text = pdf[pages[-1]].get_textpage().get_text_range()
    assert "奥迪之夜" in text and "3,100.00" in text
    if os.environ.get("VIPDESK_SCREENSHOTS"):
        from vipdesk.console.tests.browser import SHOTS

        SHOTS.mkdir(parents=True, exist_ok=True)
        pdf[pages[-1]].render(scale=1.5).to_pil().save(str(SHOTS / "report-events-pdf.png"))
