"""The ticket forms of the console show a refusal beside the input it is about (issue 19 §2), keep
what was typed, and save nothing; staff of another store cannot open a ticket for store A's member."""
import re

import pytest

from vipdesk.servicedesk.models import Ticket
from vipdesk.servicedesk.services import ticket_accept, ticket_open, ticket_resolve

pytestmark = pytest.mark.django_db


def error_of(html: str, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="{name}" role="alert">([^<]*)</p>', html)
    return found.group(1) if found else ""


def test_a_new_ticket_refused_says_why_beside_the_field(client, kinds, store_a, store_b, member_a, member_b, desk_a, guide_a):
    client.force_login(guide_a)
    base = {"kind": kinds["after_sales"].pk, "store": store_a.pk, "desk": "", "description": "拉链坏了"}
    html = client.post("/tickets/new/", {**base, "member": "陈美玲"}).content.decode()
    assert error_of(html, "error-member") == "请填写会员 ID（数字），或留空。"
    assert "拉链坏了" in html  # what was typed stays
    html = client.post("/tickets/new/", {**base, "member": str(member_b.pk)}).content.decode()
    assert error_of(html, "error-member") == "您的门店中没有这个会员 ID。"  # store B's member is not found from store A
    html = client.post("/tickets/new/", {**base, "store": str(store_b.pk), "member": ""}).content.decode()
    assert error_of(html, "error-store")  # not one of her stores: not a choice
    html = client.post("/tickets/new/", {**base, "kind": "", "member": ""}).content.decode()
    assert error_of(html, "error-kind")
    assert Ticket.objects.count() == 0
    made = client.post("/tickets/new/", {**base, "member": str(member_a.pk)})
    assert made.status_code == 302 and Ticket.objects.get().member == member_a


def test_a_move_refused_says_why_beside_its_input(client, kinds, store_a, member_a, desk_a, guide_a):
    ticket = ticket_open(actor=guide_a, kind_code="after_sales", member=member_a)
    ticket_accept(actor=guide_a, ticket=ticket)
    client.force_login(guide_a)
    url = f"/tickets/{ticket.pk}/"
    html = client.post(url, {"action": "resolve", "note": "  "}).content.decode()
    assert error_of(html, "error-resolve-note") == "该字段是必填项。"
    html = client.post(url, {"action": "reply", "note": ""}).content.decode()
    assert error_of(html, "error-reply-note")
    html = client.post(url, {"action": "handover", "assignee": "", "desk": "", "note": "交给同事"}).content.decode()
    assert error_of(html, "error-handover-assignee") == "请选择员工或服务台。" and "交给同事" in html
    ticket.refresh_from_db()
    assert ticket.status == "accepted"
    ticket_resolve(actor=guide_a, ticket=ticket, note="已修好")
    html = client.post(url, {"action": "close", "satisfaction": "", "note": "会员满意"}).content.decode()
    assert error_of(html, "error-close-satisfaction") and "会员满意" in html
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    # a move that cannot be done now is said above the page (no input is wrong)
    answer = client.post(url, {"action": "accept"}, follow=True).content.decode()
    assert 'class="field-error"' not in answer and ticket.get_status_display() in answer
    assert client.post(url, {"action": "close", "satisfaction": "5"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "closed" and ticket.satisfaction == 5
