"""Service tickets (issue 19 §2) in a real (headless Debian) Chromium, zh-CN: a guide opens a ticket
from the console, accepts, replies, resolves and closes it with the member's satisfaction; the
board shows what is due first; the member is told at each step. Screenshots at 1280 and 1024 px."""
import pytest

from vipdesk.accounts.roles import Role
from vipdesk.messaging.models import OutboxMessage
from vipdesk.servicedesk.models import Ticket, TicketKind
from vipdesk.servicedesk.services import desk_save, ticket_open
from vipdesk.testing.factories import StaffFactory, StoreFactory, make_member

from .browser import MARKS, page, shot  # noqa: F401  (page is a fixture)
from .test_browser_approvals_attach import NARROW, WIDE, sign_in

pytestmark = MARKS


@pytest.mark.django_db(transaction=True)
def test_a_guide_works_a_ticket_from_the_board_to_closing(live_server, page):
    store = StoreFactory(code="SH01", name="上海南京西路店")
    other = StoreFactory(code="BJ01", name="北京王府井店")
    manager = StaffFactory(username="sh_manager", display_name="店长王芳", role=Role.STORE_MANAGER, stores=[store])
    guide = StaffFactory(username="sh_guide", display_name="导购李娜", role=Role.GUIDE, stores=[store])
    desk = desk_save(actor=manager, code="SH01-VIP", name="VIP管家台", store=store, manager=manager, staff=[guide])
    member = make_member(actor=manager, store=store, name="陈美玲", mobile="13612345678")
    elsewhere = make_member(actor=None, store=other, name="李四", mobile="13612345555")
    urgent = ticket_open(kind_code="svip_request", member=member, store=store, description="明早 8 点接机（浦东 T2）")
    hidden = ticket_open(kind_code="after_sales", member=elsewhere, store=other, description="北京店的单")
    base = live_server.url
    page.set_viewport_size(WIDE)
    sign_in(page, base, "sh_guide")

    page.goto(f"{base}/tickets/new/")
    page.select_option("select[name=kind]", str(TicketKind.objects.get(code="after_sales").pk))
    page.fill("input[name=member]", str(member.pk))
    page.fill("textarea[name=description]", "大衣纽扣脱落，需要补钉")
    shot(page, "tickets-new-1280.png")
    page.set_viewport_size(NARROW)
    shot(page, "tickets-new-1024.png")
    page.set_viewport_size(WIDE)
    page.click("#ticket-form button[type=submit]")
    page.wait_for_selector("#ticket-facts")
    ticket = Ticket.objects.exclude(pk__in=[urgent.pk, hidden.pk]).get()
    assert ticket.desk == desk and "待受理" in page.inner_text("#ticket-status")

    page.goto(f"{base}/tickets/?desk=SH01-VIP")
    rows = page.locator("#ticket-board tbody tr")
    assert rows.count() == 2
    assert urgent.number in rows.nth(0).inner_text() and ticket.number in rows.nth(1).inner_text()  # due first
    assert hidden.number not in page.inner_text("#ticket-board")  # another store's ticket is not shown
    shot(page, "tickets-board-1280.png")
    page.set_viewport_size(NARROW)
    shot(page, "tickets-board-1024.png")
    page.set_viewport_size(WIDE)

    page.click(f"text={ticket.number}")
    page.click("#ticket-accept button")
    page.wait_for_selector("#ticket-resolve")
    assert "处理中" in page.inner_text("#ticket-status")
    page.fill("#ticket-reply textarea[name=note]", "明天下午可以来取")
    page.click("#ticket-reply button")
    page.wait_for_selector("#ticket-resolve")
    page.click("#ticket-resolve button")  # nothing said of what was done: refused beside the box
    assert page.inner_text("#error-resolve-note") == "该字段是必填项。"
    shot(page, "tickets-error-1280.png", full_page=False)
    page.fill("#ticket-resolve textarea[name=note]", "纽扣已补钉并加固")
    page.click("#ticket-resolve button")
    page.wait_for_selector("#ticket-close")
    page.select_option("#ticket-close select[name=satisfaction]", "4")
    shot(page, "tickets-detail-1280.png")
    page.set_viewport_size(NARROW)
    shot(page, "tickets-detail-1024.png")
    page.click("#ticket-close button")
    page.wait_for_selector("#ticket-events")
    assert "4 / 5" in page.inner_text("#ticket-facts")
    assert "已通知会员" in page.inner_text("#ticket-events")
    ticket.refresh_from_db()
    assert ticket.satisfaction == 4 and ticket.assignee == guide
    bodies = list(OutboxMessage.objects.filter(member=member, channel="inbox", source__startswith="ticket_event:")
                  .order_by("pk").values_list("body", flat=True))
    assert sum(ticket.number in b for b in bodies) == 5  # opened, accepted, replied, resolved, closed
    assert page.goto(f"{base}/tickets/{hidden.pk}/").status == 404
