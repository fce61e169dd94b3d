"""IDOR: every portal route, signed in as member A, tried with member B's ids in the URL and the body.

The routes come from the URL resolver (namespace "portal"), so a new page is covered the day it is
added. A route with a URL argument this test cannot fill fails it: teach IDS the new kind of id.
Nothing of B's may show on A's pages, and nothing of B's may change.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import URLResolver, get_resolver, reverse

from vipdesk.coupons.campaigns import campaigns_install_default
from vipdesk.coupons.models import Campaign, Coupon
from vipdesk.coupons.services import coupons_issue_bulk
from vipdesk.events.models import Event, Invitation
from vipdesk.members.models import Consent, Member
from vipdesk.members.services import consent_set
from vipdesk.messaging.models import InboxMessage
from vipdesk.org.services import api_client_create
from vipdesk.portal.models import PortalSession
from vipdesk.portal.service import ticket_kinds
from vipdesk.sales.models import Sale
from vipdesk.servicedesk.choices import Source
from vipdesk.servicedesk.models import Ticket
from vipdesk.servicedesk.services import kinds_install_default, ticket_open
from vipdesk.testing.factories import make_member

from .conftest import member_client

pytestmark = pytest.mark.django_db


def portal_routes():
    """(name, pattern) of every route under the portal namespace, includes walked."""
    found = []

    def walk(resolver, namespace, prefix):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace])) if pattern.namespace else namespace
                walk(pattern, inner, prefix + str(pattern.pattern))
            elif namespace.split(":")[0] == "portal":
                found.append((f"{namespace}:{pattern.name}", pattern))

    walk(get_resolver(), "", "")
    return found


@pytest.fixture
def world(store_a, settings, tmp_path):
    settings.VIPDESK = {**settings.VIPDESK, "SMS": {"BACKEND": "file"}}
    settings.DATA_DIR = tmp_path
    cache.clear()
    a = make_member(store=store_a, name="林小红", mobile="13766667777")
    b = make_member(store=store_a, name="欧阳娜娜", mobile="13855556666", email="oy-secret@example.com", hobbies="B的爱好")
    campaigns_install_default()
    campaign = Campaign.objects.order_by("pk").first()
    coupons_issue_bulk(actor=None, campaign=campaign, members=Member.objects.filter(pk__in=[a.pk, b.pk]))
    consent_set(actor=None, member=b, purpose="marketing", channel="sms", granted=True)
    inbox_b = InboxMessage.objects.create(member=b, subject="B的秘密", body="只给欧阳娜娜的消息")
    till = api_client_create(name="POS", store_code="SA01")[1]
    from django.test import Client

    api = Client(HTTP_AUTHORIZATION=f"Bearer {till}")
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    for m, receipt in ((a, "A-RECEIPT-1"), (b, "B-SECRET-RECEIPT")):
        r = api.post("/api/v1/sales/", {"store": "SA01", "receipt_no": receipt, "occurred_at": now, "member": {"mobile": m.mobile},
                                        "amount_paid": "100.00", "lines": [{"sku": "B-SKU", "unit_price": "100.00", "quantity": 1, "amount": "100.00"}],
                                        "payments": [{"method": "cash", "amount": "100.00"}]}, content_type="application/json")
        assert r.status_code == 201, r.content
    coupon_b = Coupon.objects.filter(member=b).first()
    sale_b = Sale.objects.get(member=b)
    order_b, request_b = _mall_order_and_request(b, store_a)  # h6: the points mall and service requests
    kinds_install_default()  # issue 19: a request that became a service ticket has its own page
    ticket_b = ticket_open(kind_code=next(iter(ticket_kinds())), member=b, store=store_a, source=Source.PORTAL,
                           description="B的服务单秘密")
    invitation_b = _invitation(b, store_a)  # issue 18: B's invitation to a VIP event A is not invited to
    ids = {"member": b.pk, "sale": sale_b.pk, "message": inbox_b.pk, "coupon": coupon_b.pk, "inbox": inbox_b.pk,
           "order": order_b.pk, "request": request_b.pk, "ticket": ticket_b.pk, "invitation": invitation_b.pk,
           "event": invitation_b.event_id}
    codes = {"member_no": b.member_no, "code": coupon_b.code, "mobile": b.mobile, "receipt_no": sale_b.receipt_no}
    markers = [b.name, b.member_no, b.mobile, "oy-secret", "B的爱好", "B的秘密", "只给欧阳娜娜", sale_b.receipt_no, coupon_b.code,
               "B的送货地址秘密", request_b.number, "B的服务单秘密", ticket_b.number, "B的私享会", "B的秘密会场"]
    return {"a": a, "b": b, "ids": ids, "codes": codes, "markers": markers}


def _mall_order_and_request(b, store):
    """B's points-mall gift waiting at the store and B's service request (issue 16, h6)."""
    from vipdesk.core.clock import today
    from vipdesk.feedback.requests import member_request_create
    from vipdesk.points.mall import mall_order
    from vipdesk.points.models import RedemptionItem
    from vipdesk.points.services import points_credit_bonus, stock_move

    gift = RedemptionItem.objects.create(code="IDOR-GIFT", name="保温杯", kind="gift", points=100, value="30.00")
    for kind in ("purchase", "stock_in"):
        stock_move(actor=None, item=gift, kind=kind, quantity=2)
    for kind in ("allocation", "receipt"):
        stock_move(actor=None, item=gift, kind=kind, quantity=2, store=store)
    points_credit_bonus(member=b, points=500, action="test", store=store, on=today(store) - dt.timedelta(days=3))
    order = mall_order(member=b, item_code="IDOR-GIFT", store=store)
    return order, member_request_create(member=b, kind="delivery", description="B的送货地址秘密")


def _invitation(b, store):
    from django.utils import timezone

    start = timezone.now() + dt.timedelta(days=10)
    event = Event.objects.create(name="B的私享会", venue="B的秘密会场", starts_at=start, ends_at=start + dt.timedelta(hours=3),
                                 capacity=20, guests_allowed=1, status="open", audience="list", member_list=[b.member_no])
    event.stores.set([store])
    return Invitation.objects.create(event=event, member=b, invited_at=timezone.now())


def state_of(member):
    member = Member.objects.get(pk=member.pk)
    return {
        "file": {f.name: getattr(member, f.attname) for f in Member._meta.concrete_fields if f.name != "updated_at"},
        "consents": list(Consent.objects.filter(member=member).values_list("purpose", "channel", "granted")),
        "inbox": list(InboxMessage.objects.filter(member=member).values_list("pk", "read_at")),
        "coupons": list(Coupon.objects.filter(member=member).values_list("pk", "status")),
        "sessions": PortalSession.objects.filter(member=member).count(),
        "sales": Sale.objects.filter(member=member).count(),
        "orders": list(member.points_account.redemptions.values_list("pk", "status", "collection"))
        if hasattr(member, "points_account") else [],
        "requests": list(member.complaints.values_list("pk", "status")),
        "tickets": list(Ticket.objects.filter(member=member).values_list("pk", "status")),
        "invitations": list(Invitation.objects.filter(member=member).values_list("pk", "status", "guests", "via")),
    }


def url_variants(pattern, world):
    """The route's URL with B's ids in every argument (or the plain URL when it takes none)."""
    converters = pattern.pattern.converters
    if not converters:
        return [{}]
    variants = []
    for key, converter in converters.items():
        pool = world["ids"] if converter.regex == "[0-9]+" else {**world["codes"], **{k: str(v) for k, v in world["ids"].items()}}
        assert pool, f"no B id for URL argument {key!r}"
        variants.extend({key: value} for value in pool.values())
    return variants


def bodies(world):
    """Bodies naming B every way a form might: ids, numbers, codes, with the portal's actions."""
    base = {**{k: str(v) for k, v in world["ids"].items()}, **world["codes"], "pk": str(world["b"].pk), "id": str(world["b"].pk),
            "member_id": str(world["b"].pk)}
    return [
        base,
        {**base, "action": "consent", "purpose": "marketing", "channel": "sms", "granted": "0"},
        {**base, "action": "profile", "email": "hijack@example.com", "hobbies": "改掉"},
        {**base, "answer": "accept", "guests": "1", "event_id": str(world["ids"]["event"])},
    ]


# Public forms that show back what was typed into them (not a row of B's).
ECHOES = {"portal:sign_in": ("mobile",)}


def test_every_portal_route_serves_only_the_signed_in_members_rows(world):
    routes = portal_routes()
    assert len(routes) >= 15 and any(name == "portal:card" for name, _ in routes)
    before = state_of(world["b"])
    problems = []
    for name, pattern in routes:
        for kwargs in url_variants(pattern, world):
            try:
                url = reverse(name, kwargs=kwargs)
            except Exception:  # an id that does not fit this argument's converter
                continue
            for method, body in [("get", None)] + [("post", b) for b in bodies(world)]:
                client = member_client(world["a"])
                response = getattr(client, method)(url, body) if body is not None else client.get(url)
                text = response.content.decode(errors="replace")
                echoed = {world["codes"][k] for k in ECHOES.get(name, ())}  # what the form typed, shown back
                leaked = [m for m in world["markers"] if m and m in text and m not in echoed]
                if leaked:
                    problems.append(f"{method.upper()} {url}: shows B's {leaked}")
                if response.status_code >= 500:
                    problems.append(f"{method.upper()} {url}: {response.status_code}")
    assert not problems, "\n".join(problems)
    assert state_of(world["b"]) == before
