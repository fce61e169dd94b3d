"""The access table (vipdesk/testing/access.py) over every URL of the project and every principal.

One world per module (two stores, a principal of every role, an object of each kind in each store),
built inside a transaction rolled back at the end; each case runs in its own savepoint, so an
allowed write does not leak into the next case.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from vipdesk.servicedesk.services import ticket_open
from vipdesk.testing.access import ACCESS, ANON, CHAIN_WIDE, EVERYONE, MEMBER, PARTNER_KEY, STAFF, Row
from vipdesk.webhooks.services import subscription_create as webhook_subscription_create

pytestmark = pytest.mark.django_db

# The Django admin site is its own namespace: Django's staff flag, not vipdesk's roles, opens it,
# and no vipdesk role has that flag. Its few hundred generated URLs are covered by this one rule,
# tried on its index.
ADMIN_NAMESPACE = "admin"


def url_names() -> set[str]:
    """Every URL name of the project, namespaced ("console:home"), walking includes recursively."""
    names = set()

    def walk(resolver, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace])) if pattern.namespace else namespace
                walk(pattern, inner)
            elif namespace != ADMIN_NAMESPACE:
                assert pattern.name, f"an unnamed URL pattern: {pattern.pattern} (name it and add it to the access table)"
                names.add(":".join(filter(None, [namespace, pattern.name])))

    walk(get_resolver(), "")
    return names


def test_every_url_has_a_row_and_every_row_a_url():
    names = url_names()
    declared = {row.name for row in ACCESS}
    assert names - declared == set(), "URLs without a row in vipdesk/testing/access.py: say who may use them"
    assert declared - names == set(), "rows of vipdesk/testing/access.py for URLs that no longer exist"


def test_the_admin_site_is_closed_to_every_role(world):
    for who in sorted(STAFF):
        response = client_for(world, who).get(reverse("admin:index"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login")), who


# --- the world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from django.test import override_settings

    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def build_world() -> dict:
    import datetime as dt

    from django.utils import timezone

    from vipdesk.accounts.roles import Role
    from vipdesk.analytics.segments import segment_create
    from vipdesk.care.models import CareEvent, CareRule, CareTask
    from vipdesk.care.services import care_rules_install_default
    from vipdesk.coupons.campaigns import campaigns_install_default
    from vipdesk.coupons.models import Campaign, Coupon, IssuanceRule
    from vipdesk.feedback.services import categories_install_default, surveys_install_default
    from vipdesk.members.cards import card_apply, card_change_status, card_issue
    from vipdesk.messaging.models import MessageTemplate
    from vipdesk.messaging.message_templates import template_save
    from vipdesk.messaging.services import enqueue
    from vipdesk.org.services import api_client_create
    from vipdesk.points.models import EarnRule, RedemptionItem
    from vipdesk.points.services import catalogue_install_default, earn_rule_install_default
    from vipdesk.pricing import config as pricing_config
    from vipdesk.testing.factories import StaffFactory, StoreFactory, make_member
    from vipdesk.tiers.models import Level, TierApproval
    from vipdesk.tiers.presets import PRESETS
    from vipdesk.tiers.config import programme_install
    from vipdesk.wallet.models import TopUpRule
    from vipdesk.wallet.bonus_rules import topup_rules_install_default

    a, b = StoreFactory(code="SA01", name="A店"), StoreFactory(code="SB01", name="B店")
    staff = {
        "hq": StaffFactory(username="hq", role=Role.HQ_ADMIN),
        "auditor": StaffFactory(username="auditor", role=Role.AUDITOR),
        "manager": StaffFactory(username="manager_a", role=Role.STORE_MANAGER, stores=[a]),
        "guide": StaffFactory(username="guide_a", role=Role.GUIDE, stores=[a]),
        "account_manager": StaffFactory(username="am_a", role=Role.ACCOUNT_MANAGER, stores=[a]),
        "cashier": StaffFactory(username="cashier_a", role=Role.CASHIER, stores=[a]),
    }
    guide_b = StaffFactory(username="guide_b", role=Role.GUIDE, stores=[b])
    keys = {
        "hq_key": api_client_create(name="HQ integration")[1],
        "auditor_key": api_client_create(name="Audit tool", role=Role.AUDITOR)[1],
        "desk_key": api_client_create(name="Desk A", store_code="SA01", role=Role.STORE_MANAGER)[1],
        "till_key": api_client_create(name="POS A1", store_code="SA01")[1],
    }
    # The own-store member is in the account manager's book, so "own" is in every store-A caller's scope.
    members = {
        "own": make_member(actor=staff["account_manager"], store=a, name="林小红", mobile="13766667777", email="lin@example.com"),
        "other": make_member(actor=guide_b, store=b, name="欧阳娜娜", mobile="13855556666", email="oy@example.com"),
    }
    second = make_member(actor=staff["account_manager"], store=a, name="王芳", mobile="13900001111")
    programme_install(spec=PRESETS["department-store"])
    earn_rule_install_default(yuan_per_point=1)
    catalogue_install_default()
    topup_rules_install_default()
    campaigns_install_default()
    categories_install_default()
    surveys_install_default()
    care_rules_install_default()
    template_save(actor=None, code="birthday", name="生日祝福", purpose="service", kind="greeting",
                  channels=["sms", "email", "inbox"], subject_zh="生日快乐", body_zh="{salutation}，生日快乐！——{store} {staff}")
    cards = {side: card_issue(actor=None, member=m) for side, m in members.items()}
    pending = {side: card_apply(actor=None, member=m) for side, m in members.items()}
    frozen = {side: card_change_status(actor=None, card=card_issue(actor=None, member=m), move="freeze") for side, m in members.items()}
    lost = {side: card_change_status(actor=None, card=card_issue(actor=None, member=m), move="report_lost")
            for side, m in members.items()}

    # Sales, complaints and quotes of each store, written as the HQ integration would (a sale also
    # earns coupons and opens a post-purchase care task).
    hq_api = Client(HTTP_AUTHORIZATION=f"Bearer {keys['hq_key']}")
    now = timezone.now().replace(microsecond=0).isoformat()
    made = {}
    for side, m in members.items():
        store = m.home_store.code
        writes = {
            "sale": ("/api/v1/sales/", {"store": store, "receipt_no": f"{store}-SEED-1", "occurred_at": now,
                                        "member": {"mobile": m.mobile}, "amount_paid": "600.00",
                                        "lines": [{"sku": "SCF-01", "unit_price": "600.00", "quantity": 1, "amount": "600.00"}],
                                        "payments": [{"method": "cash", "amount": "600.00"}]}),
            "topup": ("/api/v1/wallet/topups/", {"store": store, "member": {"mobile": m.mobile}, "amount": "3000.00",
                                                 "reference": f"{store}-TU-SEED"}),
            "complaint": ("/api/v1/feedback/complaints/", {"store": store, "category": "service.attitude",
                                                          "description": "导购态度冷淡", "member": m.pk}),
            "quote": ("/api/v1/quotes/", {"store": store, "member": {"mobile": m.mobile},
                                          "lines": [{"sku": "SCF-01", "unit_price": "600.00", "quantity": 1}]}),
        }
        for label, (url, body) in writes.items():
            response = hq_api.post(url, body, content_type="application/json")
            assert response.status_code in (200, 201), (url, response.content)
            made[label, side] = response.json()["id"]
    outbox = {side: enqueue(m, "birthday", "inbox", source=f"access:{side}").pk for side, m in members.items()}
    tasks = {t.store.code: t.pk for t in CareTask.objects.select_related("store")}
    coupons = {c.member_id: c.code for c in Coupon.objects.order_by("pk")}
    campaign = Campaign.objects.order_by("pk").first()
    mall_orders = _mall_orders(members)
    segment = segment_create(actor=staff["manager"], data={"name": "SA01 女士", "definition": {"genders": ["F"], "stores": ["SA01"]}})

    # A redemption (of points credited the day before) and a requested adjustment per store (issue 15 §3).
    from vipdesk.points.redemption import points_redeem
    from vipdesk.points.services import points_adjust, points_credit_bonus

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for m in members.values():
        points_credit_bonus(member=m, points=600, action="access", store=m.home_store, on=yesterday)
    redeemed = {side: points_redeem(actor=None, member=m, item_code="GOODS-500", store=m.home_store).pk for side, m in members.items()}
    adjusted = {side: points_adjust(actor=None, member=m, points=10, reason="核对", store=m.home_store).pk for side, m in members.items()}

    partners, partner_uses, keys[PARTNER_KEY] = _partners(members, staff["hq"])

    from vipdesk.portal.auth import member_session_token

    sessions = {MEMBER: member_session_token(members["own"])}
    for name, user in staff.items():
        client = Client()
        client.force_login(user)
        sessions[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    both = lambda f: {side: f(side) for side in ("own", "other")}  # noqa: E731
    ids = {
        "member": both(lambda s: members[s].pk),
        "mobile": both(lambda s: members[s].mobile),
        "name": both(lambda s: members[s].name),
        "member_no": both(lambda s: members[s].member_no),
        "card": both(lambda s: cards[s].pk),
        "card_number": both(lambda s: cards[s].number),
        "pending_card_number": both(lambda s: pending[s].number),
        "pending_card": both(lambda s: pending[s].pk),
        "tier_approval": both(lambda s: TierApproval.objects.create(member=members[s], level=Level.objects.order_by("-rank").first(),
                                                                    requested_on=timezone.localdate()).pk),
        "frozen_card_number": both(lambda s: frozen[s].number),
        "lost_card_number": both(lambda s: lost[s].number),
        "sale": both(lambda s: made["sale", s]),
        "complaint": both(lambda s: made["complaint", s]),
        "ticket": both(lambda s: ticket_open(kind_code="after_sales", member=members[s], description="拉链坏了").pk),
        "quote": both(lambda s: made["quote", s]),
        "care_task": both(lambda s: tasks[members[s].home_store.code]),
        "outbox": outbox,
        "coupon": both(lambda s: coupons[members[s].pk]),
        "member2": second.pk,
        "manager_username": "manager_a",
        "now": now,
        "topup_rule": TopUpRule.objects.order_by("pk").first().pk,
        "campaign": campaign.pk,
        "campaign_code": campaign.code,
        "coupon_rule": IssuanceRule.objects.order_by("pk").first().pk,
        "member_price": pricing_config.member_price_save(actor=None, data={"sku": "COAT", "price": "880"}).pk,
        "level": Level.objects.order_by("pk").first().pk,
        "earn_rule": EarnRule.objects.order_by("pk").first().pk,
        "item": RedemptionItem.objects.order_by("pk").first().pk,
        "care_rule": CareRule.objects.order_by("pk").first().pk,
        "care_event": CareEvent.objects.create(name="品鉴会", store=a, starts_at=timezone.now() + dt.timedelta(days=10)).pk,
        "template": MessageTemplate.objects.get(code="birthday").pk,
        "template_code": "birthday",
        "segment": segment.pk,
        "redemption": redeemed,
        "adjustment": adjusted,
        "mall_order": mall_orders,
        "partner": partners["own"].pk,
        "partner_use": partner_uses,
        "webhook": webhook_subscription_create(actor=None, data={"name": "ERP", "url": "https://erp.example.com/hooks",
                                                                 "events": ["sale.posted"], "active": False}).pk,
        "sales_batch": _sales_batch(),
        "hotline_line": both(lambda s: _hotline_line(members[s].home_store, s)),
        **_companies(),
        **_message_campaign(staff["hq"], members["own"]),
        **_vip_events(members),
    }
    return {"ids": ids, "sessions": sessions, "keys": keys}


def _hotline_line(store, side) -> int:
    """A VIP line whose area is the store (issue 19 §3): its store manager edits it, another store's gets 404."""
    from vipdesk.hotline.choices import StepKind
    from vipdesk.hotline.models import ChainStep, Line

    line = Line.objects.create(number=f"9558{'8' if side == 'own' else '9'}", name="VIP专线", store=store,
                               open_from=dt.time(9), open_to=dt.time(21))
    ChainStep.objects.create(line=line, position=1, kind=StepKind.DUTY_DESK, ring_seconds=15)
    return line.pk


def _sales_batch() -> int:
    """A sales batch sent by the system (no sender): HQ sees it, a store manager gets 404."""
    from vipdesk.salesimport.services import sales_import

    data = "门店,小票号,销售时间,商品编码,单价,数量,金额\nSA01,SA01-BATCH-1,2026-06-01 10:00,SCF-01,100.00,1,100.00\n"
    return sales_import(actor=None, data=data.encode(), filename="batch.csv", fmt="csv").pk


def _companies() -> dict:
    """An organisation account and an evaluation year of 济钢's scheme (issue 20), through their services."""
    from vipdesk.companies.evaluation import year_open
    from vipdesk.companies.presets import scheme_install
    from vipdesk.companies.services import company_create

    company = company_create(actor=None, data={"name": "山东重型机械有限公司", "uscc": "91110000600037341L"})
    scheme = scheme_install()
    return {"company": company.pk, "evaluation_year": year_open(actor=None, scheme=scheme, year=2026).pk,
            "evaluation_programme": scheme.pk, "criterion": scheme.criteria.order_by("position").first().pk}


def _message_campaign(hq, member) -> dict:
    """A draft campaign to a segment of its own (issue 18 §1) and the own member's opt-out link token."""
    from vipdesk.campaigns.optout import optout_token
    from vipdesk.analytics.segments import segment_create
    from vipdesk.campaigns.services import campaign_save
    from vipdesk.messaging.message_templates import template_save

    segment = segment_create(actor=hq, data={"name": "SA01 全部", "definition": {"stores": ["SA01"]}})
    template_save(actor=None, code="access_promo", name="周末专场", purpose="marketing", kind="marketing", channels=["sms"],
                  body_zh="{salutation}：本周末VIP专场。")
    campaign = campaign_save(actor=hq, data={"name": "周末专场", "template": "access_promo", "channel": "sms", "audience": "segment",
                                             "segment": segment.pk})
    return {"message_campaign": campaign.pk, "optout_token": optout_token(campaign.pk, member.pk)}


def _vip_events(members) -> dict:
    """An open VIP event per store (issue 18 §2), each member's invitation (the portal's 我的活动) and the
    own member's reply-link token."""
    from vipdesk.events.links import rsvp_token
    from django.utils import timezone

    from vipdesk.events.models import Event, Invitation

    start = timezone.now() + dt.timedelta(days=10)
    events, invitations = {}, {}
    for side, m in members.items():
        event = Event.objects.create(name="VIP之夜", starts_at=start, ends_at=start + dt.timedelta(hours=3), capacity=50,
                                     status="open", audience="list", member_list=[m.member_no])
        event.stores.set([m.home_store])
        events[side] = event.pk
        invitation = Invitation.objects.create(event=event, member=m, invited_at=timezone.now())
        invitations[side] = invitation.pk
    return {"vip_event": events, "vip_invitation": invitations, "rsvp_token": rsvp_token(invitations["own"])}


def _partners(members, hq) -> tuple[dict, dict, str]:
    """Partner A (whose counter key is PARTNER_KEY) and partner B, with a benefit use each (issue 18 §3)."""
    from vipdesk.core.clock import today
    from vipdesk.partners.models import BenefitUse, PartnerBenefit
    from vipdesk.partners.services import partner_key_issue, partner_save
    from vipdesk.tiers.models import Level

    on, level = today(), Level.objects.order_by("rank").first()
    partners, uses = {}, {}
    for side, (code, name) in {"own": ("PA", "悦享影城"), "other": ("PB", "星河健身")}.items():
        partners[side] = partner_save(actor=hq, data={"code": code, "name": name, "category": "cinema",
                                                        "contract_start": (on - dt.timedelta(days=30)).isoformat(),
                                                        "contract_end": (on + dt.timedelta(days=300)).isoformat()})
        benefit = PartnerBenefit.objects.create(partner=partners[side], level=level, code="partner_discount", name="联盟商家9.5折",
                                                discount="9.5")
        uses[side] = BenefitUse.objects.create(partner=partners[side], benefit=benefit, member=members[side], reference=f"{code}-1",
                                               used_on=on, period=on.strftime("%Y-%m")).pk
    return partners, uses, partner_key_issue(actor=hq, partner=partners["own"])


def _mall_orders(members) -> dict:
    """A points-mall gift ordered by each member, waiting at her home store (through the mall service)."""
    import datetime as dt
    from decimal import Decimal

    from vipdesk.core.clock import today
    from vipdesk.points.mall import mall_order
    from vipdesk.points.models import RedemptionItem
    from vipdesk.points.services import points_credit_bonus, stock_move

    gift = RedemptionItem.objects.create(code="ACCESS-GIFT", name="保温杯", kind="gift", points=100, value=Decimal("30.00"))
    for kind in ("purchase", "stock_in"):
        stock_move(actor=None, item=gift, kind=kind, quantity=4)
    out = {}
    for side, m in members.items():
        for kind in ("allocation", "receipt"):
            stock_move(actor=None, item=gift, kind=kind, quantity=2, store=m.home_store)
        points_credit_bonus(member=m, points=300, action="access", store=m.home_store, on=today(m.home_store) - dt.timedelta(days=2))
        out[side] = mall_order(member=m, item_code="ACCESS-GIFT", store=m.home_store).pk
    return out


def client_for(world, who: str) -> Client:
    """A fresh client per case (a logout in one case must not sign the next one out)."""
    if who in world["keys"]:
        return Client(HTTP_AUTHORIZATION=f"Bearer {world['keys'][who]}")
    client = Client()
    if who == MEMBER:
        from vipdesk.portal.auth import COOKIE

        client.cookies[COOKIE] = world["sessions"][MEMBER]
    elif who != ANON:
        client.cookies[settings.SESSION_COOKIE_NAME] = world["sessions"][who]
    return client


# --- the cases

SCOPED = {"member", "card", "card_number", "pending_card_number", "pending_card", "tier_approval", "frozen_card_number", "lost_card_number", "sale",
          "complaint", "quote", "care_task", "outbox", "coupon", "redemption", "adjustment", "mall_order", "partner_use",
          "vip_invitation"}


def cases():
    """One case per row and side; the principals are tried inside it (one test per principal
    would spend more on pytest than on the requests)."""
    for row in ACCESS:
        sides = ("own", "other") if SCOPED & set(row.ids.values()) else ("own",)
        for side in sides:
            yield pytest.param(row, side, id=f"{row.name} {row.method} {side}")


def expected(row: Row, who: str, side: str):
    """"pass" (the access check lets the request through), a status code, "login" or "portal_login"."""
    if who in row.expect:
        return row.expect[who]
    if who == PARTNER_KEY and PARTNER_KEY not in row.allow:  # refused before anything else is looked at
        return "pass" if ANON in row.allow else row.refused or 403  # a public page is public to it too
    if who == ANON and ANON not in row.allow:
        return row.anon or (401 if row.api else "portal_login" if row.portal else "login")
    if who == MEMBER and MEMBER not in row.allow:
        if not row.portal:  # to the console and the staff API a member session is nobody: anonymous
            return "pass" if ANON in row.allow else expected(row, ANON, side)
        return row.refused or "portal_login"
    if row.portal and who not in row.allow:  # staff and keys are nobody to the member portal
        return row.refused or "portal_login"
    allowed = who in row.allow
    scope_first = row.api if row.scope_first is None else row.scope_first
    if side == "other" and who not in CHAIN_WIDE | {ANON} and (allowed or scope_first):
        return row.other
    if allowed:
        return "pass"
    return row.refused or 403


def request(world, row: Row, who: str, side: str):
    ids = world["ids"]
    kwargs = {}
    for key, ref in row.ids.items():
        value = ref[1:] if ref.startswith("=") else ids[ref]
        kwargs[key] = value[side] if isinstance(value, dict) else value
    url = reverse(row.name, kwargs=kwargs)
    body = row.body(ids, side) if callable(row.body) else row.body
    call = getattr(client_for(world, who), row.method.lower())
    if row.method == "GET":
        return call(url)
    if row.api:
        return call(url, body or {}, content_type="application/json")
    return call(url, body or {})


def verdict(response, want) -> str | None:
    """None when the answer is the expected one, else what was wrong."""
    got, where = response.status_code, response.get("Location", "")
    to_login = got == 302 and where.startswith(reverse("console:login"))
    to_portal_login = got == 302 and where.startswith(reverse("portal:sign_in"))
    if want == "login":
        ok = to_login
    elif want == "portal_login":
        ok = to_portal_login
    elif want == "pass":
        ok = got < 500 and got not in (401, 403, 404, 405) and not to_login
    else:
        ok = got == want and not (want == 302 and to_login)
    return None if ok else f"expected {want}, got {got} {where} {response.content[:200].decode(errors='replace')}"


@pytest.mark.parametrize("row, side", list(cases()))
def test_access(world, row, side):
    principals = sorted(row.principals or (EVERYONE | {PARTNER_KEY} if row.api else STAFF)) + [MEMBER, ANON]
    wrong = {}
    for who in principals:
        # Each request in a savepoint of its own: an allowed write must not change what the next caller finds.
        with transaction.atomic():
            problem = verdict(request(world, row, who, side), expected(row, who, side))
            transaction.set_rollback(True)
        if who in row.xfail:
            assert problem, f"{who}: marked as a known hole ({row.xfail[who]}) but now refused as it should: drop the mark"
        elif problem:
            wrong[who] = problem
    assert not wrong, "\n".join(f"{who}: {p}" for who, p in wrong.items())
