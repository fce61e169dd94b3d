"""Who may use which URL: the one access table of the project (vipdesk/testing/tests/test_access.py runs it).

Every URL name of the project has at least one row here; a new screen or endpoint without a row
fails the test, so nobody adds one without saying who may use it. A row names the principals that
pass the access check; every other principal is refused the way the code refuses today:

- console: anonymous → redirect to the login page; a signed-in role without the right → 403.
- portal (`portal:…`, the member centre at /m/): anyone but a signed-in member → redirect to the
  portal's sign-in page ("portal_login"); a member session opens no console page (→ console
  login) and no staff API endpoint (→ 401). IDOR across members: vipdesk/portal/tests/test_idor.py.
- API: anonymous → 401; a key or session without the right → 403.
- A row with `ids` naming a scoped object (member, card, sale, complaint…) is tried with the
  object of the caller's store ("own", store A) and with the same object of store B ("other"):
  callers of store A get the discreet 404 there (chain-wide callers — HQ, auditors — see both).
  Where the scope is looked up before the role is checked (most of the API), a refused role gets
  that 404 as well (`scope_first`).

Principals: the member principal (MEMBER: the own-store member signed in to the portal, tried
on every row), the staff roles of vipdesk/accounts/roles.py signed in to the console (store A for the
store roles; the account manager owns the own-store member), and API keys (vipdesk/api/auth.py):
an HQ key, an auditor key, a store-manager key of store A (desk) and a till key of store A (the
cashier role a store key gets by default). Keys are only tried on the API; staff sessions on both.
There are no franchise-specific roles: a franchised store's manager is a store manager (the
franchise only narrows clearing rows, not access).

Writes send a body a caller would send (so that a refused role proves the check is not hidden
behind validation); an allowed principal's write is rolled back with its test.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

ANON = "anon"
MEMBER = "member"  # a member signed in to the portal (vipdesk/portal/auth.py): not staff, no API key
HQ = frozenset({"hq", "hq_key"})
AUDITOR = frozenset({"auditor", "auditor_key"})
MANAGER = frozenset({"manager", "desk_key"})
GUIDE = frozenset({"guide"})
ACCOUNT_MANAGER = frozenset({"account_manager"})
CASHIER = frozenset({"cashier", "till_key"})
STAFF = frozenset({"hq", "auditor", "manager", "guide", "account_manager", "cashier"})
KEYS = frozenset({"hq_key", "auditor_key", "desk_key", "till_key"})
# A partner merchant's counter key (issue 18 §3): tried on every API row besides EVERYONE; it passes
# only the partner rows (vipdesk/api/auth.py refuses it with 403 everywhere else) and sees only its
# own partner's rows there ("own": partner A's, "other": partner B's → 404).
PARTNER_KEY = "partner_key"
EVERYONE = STAFF | KEYS
# Who sees every store's rows (no "other" store for them).
CHAIN_WIDE = HQ | AUDITOR

# Role groups the table repeats.
SIGNED_IN = EVERYONE
WRITERS = EVERYONE - AUDITOR                       # everyone but the read-only auditor
TILL = HQ | MANAGER | GUIDE | CASHIER              # Action.SELL
MEMBER_CARE = HQ | MANAGER | GUIDE | ACCOUNT_MANAGER  # Action.CARE_WORK, REVEAL, CHANGE, MESSAGE
FIGURES = HQ | AUDITOR | MANAGER                   # clearing, performance, reports
HQ_MANAGER = HQ | MANAGER


@dataclass(frozen=True)
class Row:
    name: str                              # URL name, "console:…" or the API's route name
    allow: frozenset                       # principals that pass the access check
    method: str = "GET"
    ids: dict = field(default_factory=dict)  # URL kwarg → id key of the world, or "=literal"
    body: Callable[[dict, str], dict] | dict | None = None  # (ids of the world, "own"/"other") → body
    scope_first: bool | None = None        # out of scope before the role check (API default)
    anon: int | None = None                # what anonymous gets, when not the default
    refused: int | str | None = None       # what a refused principal gets, when not the default
    other: int = 404                       # what a store-A caller gets for store B's object
    expect: dict = field(default_factory=dict)  # principal → what it gets, where its row-level rule is narrower
    xfail: dict = field(default_factory=dict)  # principal → reason: a known hole, reported; the case must still fail
    principals: frozenset | None = None    # whom to try, when not every principal (besides anonymous)

    @property
    def api(self) -> bool:
        return not self.name.startswith(("console:", "portal:"))

    @property
    def portal(self) -> bool:
        return self.name.startswith("portal:")


def R(name, allow, method="GET", **kw) -> Row:
    return Row(name=name, allow=frozenset(allow), method=method, **kw)


M = {"pk": "member"}
CARD = {"pk": "member", "card_pk": "card"}
CARD_NO = {"number": "card_number"}


def _mobile(ids, side):
    return {"mobile": ids["mobile"][side]}


def _store(side):
    return "SA01" if side == "own" else "SB01"


# Bodies of the API writes: what a till or an integration would send.
SALE = lambda ids, side: {"store": "SA01", "receipt_no": "SA01-ACCESS-1", "occurred_at": ids["now"], "member": _mobile(ids, "own"),
                          "lines": [{"sku": "SCF-01", "unit_price": "100.00", "quantity": 1, "amount": "100.00"}],
                          "payments": [{"method": "cash", "amount": "100.00"}], "amount_paid": "100.00"}
RETURN = lambda ids, side: {"store": "SA01", "receipt_no": "SA01-ACCESS-R", "occurred_at": ids["now"],
                            "original": {"receipt_no": "SA01-SEED-1"}}
REASON = {"reason": "核对身份"}

ACCESS: list[Row] = [
    # --- public and framework
    R("set_language", EVERYONE | {ANON}, "POST", body={"language": "zh-hans"}),
    # Public documents, the same for every caller (the schema costs a second to build): anonymous and one key.
    R("api-schema", EVERYONE | {ANON}, principals=frozenset({"till_key"})),
    R("api-docs", EVERYONE | {ANON}, principals=frozenset({"till_key"})),
    R("api-not-found", (), refused=404, anon=404),
    # Provider callbacks carry the provider's signature, not a key: nobody passes without it.
    R("messaging-callback", (), "POST", body={}, refused=401),
    R("messaging-inbound", (), "POST", body={}, refused=401),  # members' SMS replies (退订), signed by the gateway
    # kamailio's questions and reports carry the shared SIP secret, not a key (issue 19 §3): nobody passes without it.
    R("hotline-sip-route", (), "POST", body={}, refused=401),
    R("hotline-sip-event", (), "POST", body={}, refused=401),
    R("hotline-sip-register", (), "POST", body={}, refused=401),
    R("console:login", STAFF | {ANON}),
    R("favicon", EVERYONE | {ANON}, principals=frozenset({"till_key"})),  # the site icon, the same for every caller
    # Everyone may sign out, here or on all devices; it always ends on the login page.
    R("console:logout", (), "POST", refused="login", anon="login"),
    R("console:sign_out_everywhere", (), "POST", refused="login", anon="login"),
    R("console:home", STAFF),
    # Two-factor sign-in (issue 21 §3). With nothing owed, the code page sends everyone on to home.
    R("console:two_factor_verify", STAFF),
    R("console:two_factor_enrol", {"hq", "auditor", "manager"}),
    R("console:two_factor_status", STAFF),
    R("console:two_factor_recovery", {"hq", "auditor", "manager"}, "POST"),
    R("console:two_factor_staff", {"hq"}),
    R("console:two_factor_reset", {"hq"}, "POST", ids={"username": "manager_username"}, body={"reason": "手机丢失"}),

    # --- the member portal (issue 16): public pages, then the member's own (MEMBER only)
    R("portal:sign_in", EVERYONE | {ANON, MEMBER}),
    R("portal:sign_in", EVERYONE | {ANON, MEMBER}, "POST", body={"mobile": ""}),  # a bad mobile: no code, no counter
    # Without a code just sent on this browser, the code page sends everyone back to the first step.
    R("portal:sign_in_code", (), refused="portal_login", anon="portal_login"),
    R("portal:sign_in_code", (), "POST", body={"code": "123456"}, refused="portal_login", anon="portal_login"),
    R("portal:sign_out", (), "POST", refused="portal_login", anon="portal_login"),
    R("portal:sign_out_everywhere", (), "POST", refused="portal_login", anon="portal_login"),
    # Joining needs a mobile proved by code; a member is sent home.
    R("portal:join", (), refused="portal_login", anon="portal_login", expect={MEMBER: 302}),
    R("portal:join", (), "POST", body={"name": "新会员"}, refused="portal_login", anon="portal_login"),
    R("portal:manifest", EVERYONE | {ANON, MEMBER}),
    R("portal:service_worker", EVERYONE | {ANON, MEMBER}),
    R("portal:home", {MEMBER}),
    R("portal:card", {MEMBER}),
    R("portal:level", {MEMBER}),
    R("portal:points", {MEMBER}),
    R("portal:coupons", {MEMBER}),
    R("portal:wallet", {MEMBER}),
    R("portal:purchases", {MEMBER}),
    R("portal:messages", {MEMBER}),
    R("portal:profile", {MEMBER}),
    R("portal:me", {MEMBER}),
    # points mall, my data, closing the membership, service requests (issue 16, h6): the member's own rows only
    R("portal:mall", {MEMBER}),
    R("portal:mall", {MEMBER}, "POST", body={"item": "GOODS-500"}),
    R("portal:mall_orders", {MEMBER}),
    R("portal:mall_order", {MEMBER}, ids={"pk": "mall_order"}),
    R("portal:mall_order", {MEMBER}, "POST", ids={"pk": "mall_order"}),
    R("portal:my_data", {MEMBER}),
    R("portal:my_data_file", {MEMBER}, "POST", body={"format": "json"}),
    R("portal:close", {MEMBER}),
    R("portal:close", {MEMBER}, "POST", body={"understood": "1", "mobile": "13000000000"}),
    R("portal:requests", {MEMBER}),
    R("portal:requests", {MEMBER}, "POST", body={"kind": "delivery", "description": "请送到家"}),
    R("portal:request", {MEMBER}, ids={"pk": "complaint"}),
    R("portal:ticket", {MEMBER}, ids={"pk": "ticket"}),
    # VIP events and partner privileges (issue 18 §2, §3): her own invitations only (another member's → 404)
    R("portal:events", {MEMBER}),
    R("portal:event", {MEMBER}, ids={"pk": "vip_invitation"}),
    R("portal:event", {MEMBER}, "POST", ids={"pk": "vip_invitation"}, body={"answer": "decline"}),
    R("portal:partners", {MEMBER}),

    # --- members (API)
    R("member-list", SIGNED_IN),
    R("member-list", WRITERS, "POST", body=lambda ids, side: {"name": "张小明", "mobile": "13912345678", "home_store": "SA01"}),
    R("member-detail", SIGNED_IN, ids=M),
    R("member-detail", WRITERS - CASHIER, "PATCH", ids=M, body={"email": "new@example.com"}),
    R("member-cards", WRITERS, "POST", ids=M, body={}),
    R("member-consents", WRITERS, "POST", ids=M, body={"purpose": "marketing", "channel": "sms", "granted": True}),
    R("member-reveal", MEMBER_CARE, "POST", ids=M, body=REASON),
    R("member-withdraw", HQ_MANAGER, "POST", ids=M, body={"reason": "顾客要求退会"}),
    R("card-detail", SIGNED_IN, ids=CARD_NO),
    R("card-approve", HQ_MANAGER, "POST", ids={"number": "pending_card_number"}),
    R("card-reject", HQ_MANAGER, "POST", ids={"number": "pending_card_number"}, body={"reason": "资料不全"}),
    # The approval queue (issue 15 §2): card approvers list; only HQ decides an upgrade.
    R("approval-cards", HQ_MANAGER),
    R("approval-tiers", HQ_MANAGER),
    R("approval-tier-approve", HQ, "POST", ids={"pk": "tier_approval"}, body={"note": "同意"}),
    R("approval-tier-reject", HQ, "POST", ids={"pk": "tier_approval"}, body={"note": "资料不足"}),
    R("card-freeze", WRITERS, "POST", ids=CARD_NO, body={}),
    R("card-unfreeze", WRITERS, "POST", ids={"number": "frozen_card_number"}, body={}),
    R("card-report-lost", WRITERS, "POST", ids=CARD_NO, body={}),
    R("card-replace", WRITERS, "POST", ids={"number": "lost_card_number"},
      body=lambda ids, side: {"facts": {"name": ids["name"][side], "mobile": ids["mobile"][side]}}),
    R("member-points", SIGNED_IN, ids=M),
    R("member-tier", SIGNED_IN, ids=M),
    R("member-wallet", SIGNED_IN, ids=M),
    R("member-coupons", SIGNED_IN, ids=M),
    R("member-messages", MEMBER_CARE, ids=M, scope_first=False),
    R("member-contacts", SIGNED_IN, ids=M),
    R("member-contacts", MEMBER_CARE, "POST", ids=M, body={"kind": "call", "channel": "phone", "outcome": "reached"}),
    R("member-winbacks", MEMBER_CARE, "POST", ids=M, body={"kind": "own_fault", "reason": "complaint", "outcome": "trying"}),

    # --- till (API)
    R("sale-post", TILL, "POST", body=SALE),
    R("sale-attach", TILL, "POST", body=lambda ids, side: {"receipt_no": "SA01-SEED-1", "member": _mobile(ids, "own")}),
    R("return-post", TILL, "POST", body=RETURN),
    R("redemption-post", TILL, "POST", body=lambda ids, side: {"member": _mobile(ids, "own"), "item_code": "GOODS-500"}),
    # A points-mall gift handed over at its store (issue 16); the order is looked up in the caller's stores first.
    R("redemption-collect", TILL, "POST", ids={"pk": "mall_order"}, body=lambda ids, side: {"member": _mobile(ids, side)}),
    R("quotes", TILL, "POST", body=lambda ids, side: {"store": "SA01", "member": _mobile(ids, "own"),
                                                      "lines": [{"sku": "SCF-01", "unit_price": "100.00", "quantity": 1}]}),
    R("quote", SIGNED_IN, ids={"pk": "quote"}),
    R("wallet-topup", HQ_MANAGER | CASHIER, "POST",
      body=lambda ids, side: {"store": "SA01", "member": _mobile(ids, "own"), "amount": "100.00", "reference": "SA01-TU-ACCESS"}),
    R("wallet-refund", HQ_MANAGER, "POST",
      body=lambda ids, side: {"store": "SA01", "member": _mobile(ids, "own"), "amount": "1.00", "reason": "退卡"}),
    R("coupon-check", TILL, "POST", body=lambda ids, side: {"code": ids["coupon"]["own"], "member_no": ids["member_no"]["own"],
                                                            "lines": [{"sku": "A", "unit_price": "400.00", "quantity": 1}]}),

    # --- points clearing, coupons, messaging (API)
    R("clearing-statements", FIGURES),
    R("clearing-lines", FIGURES),
    R("clearing-liability", FIGURES),
    R("coupon-campaigns", SIGNED_IN),
    R("coupon-campaigns", HQ, "POST", body={"code": "C99", "name": "测试券", "kind": "gift", "face_value": "10.00", "valid_days": 30}),
    R("coupon-campaign", SIGNED_IN, ids={"code": "campaign_code"}),
    R("coupon-campaign", HQ, "PATCH", ids={"code": "campaign_code"}, body={"name": "改名"}),
    R("coupon-issue", HQ_MANAGER, "POST", ids={"code": "campaign_code"},
      body=lambda ids, side: {"member_nos": [ids["member_no"]["own"]], "preview": True}),
    R("coupon-rules", HQ, "POST", body={"campaign": "B60", "trigger": "sale", "step_amount": "300.00"}),
    R("coupon-void", HQ_MANAGER, "POST", ids={"code": "coupon"}, body={"reason": "重复发放"}),
    R("messaging-templates", MEMBER_CARE),
    R("messaging-preview", MEMBER_CARE, "POST", ids={"code": "template_code"},
      body=lambda ids, side: {"member": ids["member"]["own"], "channel": "inbox"}),
    R("messaging-outbox", MEMBER_CARE, "POST",
      body=lambda ids, side: {"member": ids["member"]["own"], "template": "birthday", "channel": "inbox"}),

    # --- feedback, performance, care, segments (API)
    R("feedback-surveys", SIGNED_IN),
    R("feedback-survey-responses", WRITERS, "POST", body={"survey": "nps", "score": 9}),
    R("feedback-survey-report", SIGNED_IN),
    R("feedback-complaints", SIGNED_IN),
    R("feedback-complaints", WRITERS, "POST",
      body=lambda ids, side: {"store": "SA01", "category": "service.attitude", "description": "导购态度冷淡"}),
    R("feedback-complaint", SIGNED_IN, ids={"pk": "complaint"}),
    R("feedback-complaint-transition", HQ_MANAGER, "POST", ids={"pk": "complaint"}, body={"to": "in_progress"}),
    R("feedback-complaint-assign", HQ_MANAGER, "POST", ids={"pk": "complaint"}, scope_first=False,
      body=lambda ids, side: {"owner": ids["manager_username"]}),
    # service tickets (issue 19 §2): the moves' own rules (worker, manager) are the service's; a reply is anyone's of the store
    R("tickets", SIGNED_IN),
    R("tickets", WRITERS, "POST", body={"store": "SA01", "kind": "after_sales", "description": "拉链坏了，需要维修"}),
    R("ticket", SIGNED_IN, ids={"pk": "ticket"}),
    R("ticket-action", WRITERS, "POST", ids={"pk": "ticket"}, body={"action": "reply", "note": "已收到，明天联系您"}),
    R("feedback-referrals", SIGNED_IN),
    R("feedback-referrals", WRITERS, "POST",
      body=lambda ids, side: {"referrer": ids["member"]["own"], "referred": ids["member2"], "store": "SA01"}),
    R("performance-commission", FIGURES),
    R("performance-kpis", FIGURES),
    R("performance-days-worked", FIGURES),
    R("performance-days-worked", HQ_MANAGER, "POST", body={"staff": "guide_a", "month": "2026-05", "days": "26"}),
    R("performance-roster-import", HQ_MANAGER, "POST", body={}),
    R("performance-export", FIGURES),
    R("care-tasks", MEMBER_CARE),
    # The own store's task is in the account manager's book: a guide works only his book and his shift partner's.
    R("care-task-complete", MEMBER_CARE, "POST", ids={"pk": "care_task"}, body={"outcome": "reached", "note": "满意"},
      scope_first=False, expect={"guide": 404}),
    R("care-checkouts", WRITERS, "POST", body=lambda ids, side: {"member": ids["member"]["own"]}),
    R("care-churn-reasons", HQ_MANAGER),
    # --- arrival recognition (issue 19 §1): a device or desk key reports who came in
    R("arrivals", WRITERS, "POST", body={"store": "SA01", "point": "entrance", "mobile": "13900000000"}),
    R("segment-list", HQ_MANAGER),
    R("segment-list", HQ_MANAGER, "POST", body={"name": "新分组", "definition": {"genders": ["F"]}}),
    R("segment-distribution", HQ_MANAGER),
    R("segment-migration", HQ_MANAGER),
    R("segment-preview", HQ_MANAGER, "POST", body={"definition": {"genders": ["F"]}}),
    R("segment-detail", HQ_MANAGER, ids={"pk": "segment"}),
    # Only its creator (the store manager's session) or HQ deletes a segment.
    R("segment-detail", HQ_MANAGER, "DELETE", ids={"pk": "segment"}, expect={"desk_key": 403}),
    R("segment-count", HQ_MANAGER, ids={"pk": "segment"}),
    R("segment-members", HQ_MANAGER, ids={"pk": "segment"}),

    # --- console: members and cards
    R("console:member_list", STAFF),
    R("console:member_create", STAFF - AUDITOR),
    R("console:member_create", STAFF - AUDITOR, "POST"),
    R("console:member_import", {"hq", "manager"}),
    R("console:member_export", {"hq", "auditor", "manager"}),
    R("console:member_detail", STAFF, ids=M),
    R("console:member_edit", STAFF - AUDITOR - CASHIER, ids=M),
    R("console:member_edit", STAFF - AUDITOR - CASHIER, "POST", ids=M),
    R("console:member_reveal", {"hq", "manager", "guide", "account_manager"}, "POST", ids=M),
    R("console:consent_set", STAFF - AUDITOR, "POST", ids=M),
    R("console:member_withdraw", {"hq", "manager"}, ids=M),
    R("console:card_issue", STAFF - AUDITOR, "POST", ids=M),
    R("console:card_migrate", STAFF - AUDITOR, "POST", ids=M),
    R("console:card_replace", STAFF - AUDITOR, "POST", ids=CARD),
    R("console:card_supplementary", STAFF - AUDITOR, "POST", ids=CARD),
    R("console:card_move", STAFF - AUDITOR, "POST", ids={**CARD, "move": "=freeze"}),

    # The approval queue (issue 15 §2): store managers decide their stores' cards; tier upgrades are HQ's.
    R("console:approvals", {"hq", "manager"}),
    R("console:approval_card", {"hq", "manager"}, "POST", ids={"pk": "pending_card", "decision": "=approve"}),
    R("console:approval_tier", {"hq"}, "POST", ids={"pk": "tier_approval", "decision": "=reject"}, body={"note": "资料不足"}),

    # --- console: till, wallet, coupons, pricing, loyalty configuration
    R("console:pos_sale", {"hq", "manager", "guide", "cashier"}),
    R("console:pos_sale", {"hq", "manager", "guide", "cashier"}, "POST"),
    R("console:pos_return", {"hq", "manager", "guide", "cashier"}),
    R("console:pos_redeem", {"hq", "manager", "guide", "cashier"}),
    R("console:pos_member", {"hq", "manager", "guide", "cashier"}),
    R("console:pos_attach", {"hq", "manager", "guide", "cashier"}),
    R("console:pos_attach", {"hq", "manager", "guide", "cashier"}, "POST", body={"store": "SA01", "receipt_no": "SA01-SEED-1"}),
    R("console:pos_quote", {"hq", "manager", "guide", "cashier"}),
    R("console:sale_detail", STAFF, ids={"pk": "sale"}),
    # Points-mall orders waiting at the store and their hand-over (issue 16).
    R("console:mall_orders", {"hq", "manager", "guide", "cashier"}),
    R("console:mall_order_collect", {"hq", "manager", "guide", "cashier"}, "POST", ids={"pk": "mall_order"},
      body=lambda ids, side: {"member_by": "mobile", "member_value": ids["mobile"][side]}),
    R("console:pos_topup", {"hq", "manager", "cashier"}),
    R("console:pos_topup", {"hq", "manager", "cashier"}, "POST"),
    R("console:pos_wallet_refund", {"hq", "manager"}),
    R("console:member_wallet_limit", {"hq"}, "POST", ids=M),
    R("console:member_wallet_pin", {"hq", "manager", "cashier"}, "POST", ids=M),
    R("console:wallet_config", {"hq"}),
    R("console:wallet_config", {"hq"}, "POST"),
    R("console:wallet_rule_active", {"hq"}, "POST", ids={"pk": "topup_rule"}),
    R("console:coupon_campaigns", {"hq"}),
    R("console:coupon_campaign_new", {"hq"}),
    R("console:coupon_campaign", {"hq"}, ids={"pk": "campaign"}),
    R("console:coupon_campaign", {"hq"}, "POST", ids={"pk": "campaign"}),
    R("console:coupon_rule_active", {"hq"}, "POST", ids={"pk": "coupon_rule"}),
    R("console:coupon_issue", {"hq", "manager"}),
    R("console:coupon_issue", {"hq", "manager"}, "POST"),
    R("console:coupon_void", {"hq", "manager"}, "POST"),
    R("console:pricing_policy", {"hq"}),
    R("console:pricing_policy", {"hq"}, "POST"),
    R("console:pricing_list", {"hq"}, ids={"kind": "=member-prices"}),
    R("console:pricing_list", {"hq"}, "POST", ids={"kind": "=member-prices"}),
    R("console:pricing_active", {"hq"}, "POST", ids={"kind": "=member-prices", "pk": "member_price"}),
    R("console:loyalty_programme", {"hq"}),
    R("console:loyalty_programme_policy", {"hq"}),
    R("console:loyalty_programme_policy", {"hq"}, "POST"),
    R("console:loyalty_level", {"hq"}, ids={"pk": "level"}),
    R("console:loyalty_level", {"hq"}, "POST", ids={"pk": "level"}),
    R("console:loyalty_earn_rules", {"hq"}),
    R("console:loyalty_earn_rules", {"hq"}, "POST"),
    R("console:loyalty_earn_rule_active", {"hq"}, "POST", ids={"pk": "earn_rule"}),
    R("console:loyalty_points_policy", {"hq"}),
    R("console:loyalty_points_policy", {"hq"}, "POST"),
    R("console:loyalty_catalogue", {"hq"}),
    R("console:loyalty_catalogue", {"hq"}, "POST"),
    R("console:loyalty_item", {"hq"}, ids={"pk": "item"}),
    R("console:loyalty_item", {"hq"}, "POST", ids={"pk": "item"}),
    R("console:clearing", {"hq", "auditor", "manager"}),
    R("console:clearing_export", {"hq", "auditor", "manager"}),
    R("console:liability", {"hq", "auditor", "manager"}),

    # --- console: complaints, performance, care, messaging, reports, segments
    R("console:complaint_list", STAFF),
    R("console:complaint_create", STAFF - AUDITOR),
    R("console:complaint_create", STAFF - AUDITOR, "POST"),
    R("console:complaint_detail", STAFF, ids={"pk": "complaint"}),
    # Moving a complaint is refused by its service (a message on the page), not by the view.
    R("console:complaint_detail", STAFF, "POST", ids={"pk": "complaint"}),
    R("console:ticket_board", STAFF),
    R("console:ticket_create", STAFF - AUDITOR),
    R("console:ticket_create", STAFF - AUDITOR, "POST"),
    R("console:ticket_detail", STAFF, ids={"pk": "ticket"}),
    # Moving a ticket is refused by its service (a message on the page), not by the view.
    R("console:ticket_detail", STAFF, "POST", ids={"pk": "ticket"}),
    R("console:performance", {"hq", "auditor", "manager"}),
    R("console:grading_managers", {"hq", "auditor", "manager"}),
    R("console:grading_rules", {"hq"}),
    R("console:grading_rules", {"hq"}, "POST", body={"aum_measure": "average"}),
    R("console:grading_imports", {"hq"}),
    R("console:grading_imports", {"hq"}, "POST", body={"frequency": "monthly"}),
    R("console:performance_export", {"hq", "auditor", "manager"}),
    R("console:days_worked", {"hq", "manager"}),
    R("console:days_worked", {"hq", "manager"}, "POST"),
    R("console:care_today", {"hq", "manager", "guide", "account_manager"}),
    # arrivals (issue 19 §1): the desk page; the live stream (every signed-in staff member, each his
    # own notices); a notice's buttons (only one's own notice exists for one: #0 is nobody's → 404)
    R("console:arrivals", {"hq", "manager", "guide", "account_manager"}),
    R("console:arrivals", {"hq", "manager", "guide", "account_manager"}, "POST",
      body={"store": "SA01", "point": "counter", "kind": "mobile", "value": "13900000000"}),
    R("console:arrival_stream", STAFF),
    R("console:arrival_notice_act", {"hq", "manager", "guide", "account_manager"}, "POST", ids={"pk": "=0"},
      body={"act": "greeted"}, expect={p: 404 for p in ("hq", "manager", "guide", "account_manager")}),
    # the VIP hotline page (issue 19 §3): roster, status, call log of one's stores; a POST changes a seat's status
    R("console:hotline", {"hq", "auditor", "manager", "guide", "account_manager"}),
    R("console:hotline", {"hq", "auditor", "manager", "guide", "account_manager"}, "POST", body={"act": "status", "pk": "0"}),
    # a line's hours and chain (issue 19 §3): HQ and store managers (lines of their stores' areas; another store's line is 404)
    R("console:hotline_lines", {"hq", "manager"}),
    R("console:hotline_line", {"hq", "manager"}, ids={"pk": "hotline_line"}),
    R("console:hotline_line_new", {"hq", "manager"}),
    R("console:hotline_line_new", {"hq", "manager"}, "POST", body={"number": ""}),
    R("console:hotline_line", {"hq", "manager"}, "POST", ids={"pk": "hotline_line"}, body={"name": ""}),
    # A task outside one's scope is refused by the service as a message on the page (nothing done), not a 404.
    R("console:care_task_act", {"hq", "manager", "guide", "account_manager"}, "POST", ids={"pk": "care_task"}, other=302),
    R("console:care_team", {"hq", "manager"}),
    R("console:care_ownership", {"hq", "manager"}),
    R("console:care_ownership", {"hq", "manager"}, "POST"),
    R("console:contact_log", {"hq", "manager", "guide", "account_manager"}, "POST", ids=M),
    # VIP events (issue 15 §3): store managers plan their stores', HQ any.
    R("console:care_events", {"hq", "manager"}),
    R("console:care_event_new", {"hq", "manager"}),
    R("console:care_event_new", {"hq", "manager"}, "POST", body={"name": "新品品鉴会", "date": "2099-01-10", "time": "19:00", "store": "SA01"}),
    R("console:care_event", {"hq", "manager"}, ids={"pk": "care_event"}),
    R("console:care_event", {"hq", "manager"}, "POST", ids={"pk": "care_event"},
      body={"name": "新品品鉴会", "date": "2099-01-10", "time": "19:00", "store": "SA01"}),
    R("console:care_rules", {"hq"}),
    R("console:care_rule_new", {"hq"}),
    R("console:care_rule_new", {"hq"}, "POST"),
    R("console:care_rule", {"hq"}, ids={"pk": "care_rule"}),
    R("console:care_rule", {"hq"}, "POST", ids={"pk": "care_rule"}),
    R("console:care_rule_active", {"hq"}, "POST", ids={"pk": "care_rule"}),
    R("console:message_templates", {"hq"}),
    R("console:message_template_new", {"hq"}),
    R("console:message_template_new", {"hq"}, "POST"),
    R("console:message_template", {"hq"}, ids={"pk": "template"}),
    R("console:message_template", {"hq"}, "POST", ids={"pk": "template"}),
    R("console:outbox", {"hq", "manager"}),
    R("console:outbox_act", {"hq", "manager"}, "POST", ids={"pk": "outbox", "act": "=cancel"}),
    R("console:report", {"hq", "auditor", "manager"}),
    R("console:report_xlsx", {"hq", "auditor", "manager"}),
    R("console:report_pdf", {"hq", "auditor", "manager"}),
    R("console:segment_list", {"hq", "manager"}),
    R("console:segment_new", {"hq", "manager"}),
    R("console:segment_new", {"hq", "manager"}, "POST"),
    R("console:segment", {"hq", "manager"}, ids={"pk": "segment"}),
    R("console:segment", {"hq", "manager"}, "POST", ids={"pk": "segment"}),
    R("console:segment_delete", {"hq", "manager"}, "POST", ids={"pk": "segment"}),
    R("console:classification_policy", {"hq", "manager"}),
    R("console:classification_policy", {"hq"}, "POST"),

    # --- console: the audit trail (issue 21 §6)
    R("console:audit_trail", {"hq", "auditor"}),
    R("console:audit_trail_export", {"hq", "auditor"}),
    # API keys, read-only (issue 21 §5)
    R("console:api_keys", {"hq"}),

    # --- the points desk (issue 15 §3): adjustments (four eyes), reversing redemptions, benefit uses, partner spend
    R("console:points-adjustments", {"hq", "manager"}),
    R("console:points-adjustment-decide", {"hq", "manager"}, "POST", ids={"pk": "adjustment"}, body={"decision": "approve"}),
    R("console:points-adjust", {"hq", "manager"}, ids=M),
    R("console:points-adjust", {"hq", "manager"}, "POST", ids=M, body={"points": "100", "reason": "补录积分"}),
    R("console:redemption-cancel", {"hq", "manager"}, ids={"pk": "member", "rid": "redemption"}),
    R("console:redemption-cancel", {"hq", "manager"}, "POST", ids={"pk": "member", "rid": "redemption"},
      body={"reason": "赠品未领取", "confirm": "on"}),
    R("console:benefit-use", {"hq", "manager", "guide", "cashier"}, ids=M),
    R("console:benefit-use", {"hq", "manager", "guide", "cashier"}, "POST", ids=M, body={"code": "parking", "quantity": "1"}),
    R("console:partner-spend", {"hq", "manager"}, ids=M),
    R("console:partner-spend", {"hq", "manager"}, "POST", ids=M,
      body={"partner": "悦享影城", "reference": "YX-ACCESS", "amount": "100", "spent_on": "2026-01-01"}),
    # The role is checked before the redemption is looked up: a till key is refused (403) whatever it names.
    R("redemption-cancel-api", HQ_MANAGER, "POST", ids={"pk": "redemption"}, body={"reason": "赠品未领取"}, scope_first=False),
    R("benefit-use-post", TILL, "POST",
      body=lambda ids, side: {"store": "SA01", "member": _mobile(ids, "own"), "code": "parking", "reference": "P-ACCESS"}),
    R("partner-spend-post", HQ_MANAGER, "POST",
      body=lambda ids, side: {"member": _mobile(ids, "own"), "partner": "悦享影城", "reference": "YX-ACCESS", "amount": "100.00",
                              "spent_on": "2026-01-01"}),
    R("console:webhooks", {"hq"}),
    # webhook subscriptions over the API: HQ; a key sees only its own (the world's one is HQ's: 404 to the key)
    R("webhook-subscriptions", HQ),
    R("webhook-subscriptions", HQ, "POST", body={"name": "POS hook", "url": "https://hooks.example.com/h",
                                                 "events": ["sale.posted"]}, scope_first=False),
    R("webhook-subscription", HQ, ids={"pk": "webhook"}, expect={"hq_key": 404}, scope_first=False),
    R("webhook-subscription", HQ, "PATCH", ids={"pk": "webhook"}, body={"name": "ERP 2"}, expect={"hq_key": 404},
      scope_first=False),
    R("webhook-rotate-secret", HQ, "POST", ids={"pk": "webhook"}, expect={"hq_key": 404}, scope_first=False),
    R("console:webhooks", {"hq"}, "POST", body={"name": "", "url": ""}),
    # sales files from POS/ERP (issue 17 §2): HQ and store managers send them (a JSON body: 415 once let through);
    # a batch is seen by HQ and by its sender — the world's batch is the system's, so a manager gets 404
    R("sales-batches", HQ_MANAGER, "POST", body={}),
    R("sales-batch", HQ, ids={"pk": "sales_batch"}, expect={"manager": 404, "desk_key": 404}, scope_first=False),
    R("console:webhook", {"hq"}, ids={"pk": "webhook"}),
    R("console:webhook", {"hq"}, "POST", ids={"pk": "webhook"}, body={"act": "off"}),
    # organisation accounts (issue 20 §1): HQ and auditors read, HQ writes; not scoped by store
    R("console:companies", {"hq", "auditor"}),
    R("console:companies", {"hq"}, "POST", body={"name": "甲公司", "uscc": "bad"}),
    R("console:company_import", {"hq"}),
    R("console:company_import", {"hq"}, "POST", body={}),
    R("console:company", {"hq", "auditor"}, ids={"pk": "company"}),
    R("console:company", {"hq"}, "POST", ids={"pk": "company"}, body={"act": "contact", "member": ""}),
    R("companies", HQ | AUDITOR),
    R("companies", HQ, "POST", body={"name": "乙公司", "uscc": "91370100MA3C00001H"}, scope_first=False),
    R("company", HQ | AUDITOR, ids={"pk": "company"}, scope_first=False),
    R("evaluation-years", HQ),
    R("evaluation-year", HQ, ids={"pk": "evaluation_year"}, scope_first=False),
    R("member-grade", SIGNED_IN, ids=M),
    # the annual evaluation (issue 20 §2): HQ only
    R("console:evaluations", {"hq"}),
    R("console:evaluations", {"hq"}, "POST", body={"scheme": "", "year": ""}),
    R("console:evaluation", {"hq"}, ids={"pk": "evaluation_year"}),
    R("console:evaluation", {"hq"}, "POST", ids={"pk": "evaluation_year"}, body={"act": "evaluate"}),
    R("console:evaluation_xlsx", {"hq"}, ids={"pk": "evaluation_year"}),
    R("console:evaluation_programme", {"hq"}, ids={"pk": "evaluation_programme"}),
    R("console:evaluation_programme", {"hq"}, "POST", ids={"pk": "evaluation_programme"},
      body={"award_kind": "", "awards-TOTAL_FORMS": "0", "awards-INITIAL_FORMS": "0"}),
    R("console:evaluation_criterion_new", {"hq"}, ids={"pk": "evaluation_programme"}),
    R("console:evaluation_criterion_new", {"hq"}, "POST", ids={"pk": "evaluation_programme"}, body={"name": ""}),
    R("console:evaluation_criterion", {"hq"}, ids={"pk": "evaluation_programme", "cid": "criterion"}),
    R("console:evaluation_criterion", {"hq"}, "POST", ids={"pk": "evaluation_programme", "cid": "criterion"}, body={"name": ""}),
    R("console:evaluation_certificate", {"hq"}, ids={"pk": "evaluation_year", "company": "company"}),

    # --- partner merchants (issue 18 §3): the counter API takes partner keys only; HQ keeps partners
    R("partner-member-lookup", {PARTNER_KEY}, "POST", body=lambda ids, side: {"member": _mobile(ids, side)}, scope_first=False),
    R("partner-uses", {PARTNER_KEY}, "POST", scope_first=False,
      body=lambda ids, side: {"member": _mobile(ids, side), "code": "partner_discount", "reference": "YX-ACCESS"}),
    R("partner-use", {PARTNER_KEY}, ids={"pk": "partner_use"}, scope_first=False),
    R("partner-spends", {PARTNER_KEY}, "POST", scope_first=False,
      body=lambda ids, side: {"member": _mobile(ids, side), "reference": "YX-ACCESS", "amount": "100.00", "spent_on": "2026-01-01"}),
    R("partner-redemptions", {PARTNER_KEY}, "POST", scope_first=False,
      body=lambda ids, side: {"member": _mobile(ids, side), "reference": "YX-ACCESS", "points": 10}),
    # the partner staff's counter page: no data in it (it calls the API above with the key typed in)
    R("partner-counter", EVERYONE | {ANON}, principals=frozenset({"till_key"})),
    # campaigns to a segment (issue 18 §1): HQ (who keeps the message templates); the opt-out link needs only its signed token
    R("console:campaigns", {"hq"}),
    R("console:campaign_new", {"hq"}),
    R("console:campaign_new", {"hq"}, "POST", body={"act": "preview", "name": ""}),
    R("console:campaign", {"hq"}, ids={"pk": "message_campaign"}),
    R("console:campaign", {"hq"}, "POST", ids={"pk": "message_campaign"}, body={"act": "schedule"}),
    R("console:campaign_export", {"hq"}, ids={"pk": "message_campaign"}),
    R("campaign-optout", EVERYONE | {ANON}, ids={"token": "optout_token"}, principals=frozenset({"till_key"})),
    # --- VIP events (issue 18 §2): planned by HQ and store managers, the door by whoever works the care desk
    R("console:events", {"hq", "manager", "guide", "account_manager"}),
    R("console:event_new", {"hq", "manager"}),
    R("console:event_new", {"hq", "manager"}, "POST", body={"name": ""}),
    R("console:event", {"hq", "manager"}, ids={"pk": "vip_event"}),
    R("console:event", {"hq", "manager"}, "POST", ids={"pk": "vip_event"}, body={"act": "nothing"}),
    R("console:event_reply", {"hq", "manager", "guide", "account_manager"}, "POST", ids={"pk": "vip_event"},
      body={"member": "", "answer": "accept"}),
    R("console:event_edit", {"hq", "manager"}, ids={"pk": "vip_event"}),
    R("console:event_edit", {"hq", "manager"}, "POST", ids={"pk": "vip_event"}, body={"name": ""}),
    R("console:event_door", {"hq", "manager", "guide", "account_manager"}, ids={"pk": "vip_event"}),
    R("console:event_door", {"hq", "manager", "guide", "account_manager"}, "POST", ids={"pk": "vip_event"}, body={"code": ""}),
    R("console:event_door_undo", {"hq", "manager", "guide", "account_manager"}, "POST", ids={"pk": "vip_event"},
      body={"invitation": "", "reason": ""}),
    R("console:event_results", {"hq", "manager"}, ids={"pk": "vip_event"}),
    R("console:event_export", {"hq", "manager"}, ids={"pk": "vip_event"}),
    # an invitation's reply link: the signed token is the only key (like the opt-out link)
    R("event-rsvp", EVERYONE | {ANON}, ids={"token": "rsvp_token"}, principals=frozenset({"till_key"})),
    R("console:partners", {"hq"}),
    R("console:partners", {"hq"}, "POST", body={"code": "", "name": ""}),
    R("console:partner", {"hq"}, ids={"pk": "partner"}),
    R("console:partner", {"hq"}, "POST", ids={"pk": "partner"}, body={"act": "off"}),
    R("console:partner_settlement", {"hq"}),
    R("console:partner_settlement_export", {"hq"}),
]
