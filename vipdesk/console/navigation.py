"""The console's main menu as data (issue 15 §6): groups of what people do, each a list of pages.

Adding a page to the menu is one line in GROUPS: `Entry(id, label, url name, capability)`. An entry
is shown to a user whose role has the capability (vipdesk/accounts/roles.py — the same check the
page's view makes; vipdesk/console/tests/test_navigation.py holds every entry against the access
table of vipdesk/testing/access.py) and whose URL name reverses (a page another branch has not
brought yet is skipped, not an error). `current` lists the URL names (a trailing "*" is a prefix)
under which the entry, and its group, are marked as the page one is on.

The menu is rendered by console/includes/mainnav.html through the `main_menu` template tag.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from vipdesk.accounts.roles import Action, Role, can

HQ_ONLY = "hq_only"  # not an Action: HQ admins (and superusers) only — the back office, staff two-factor


@dataclass(frozen=True)
class Entry:
    id: str                      # the link's HTML id, "nav-…" (tests and the user guide point at it)
    label: str
    url_name: str                # "console:…"; the link goes to reverse(url_name, kwargs=kwargs)
    capability: str              # an Action the role must have
    current: tuple[str, ...] = ()  # further URL names (or "prefix*") that count as this page
    kwargs: tuple[tuple[str, str], ...] = ()

    def matches(self, url_name: str) -> bool:
        for name in (self.url_name, *self.current):
            if name.endswith("*") and url_name.startswith(name[:-1]) or name == url_name:
                return True
        return False


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    entries: tuple[Entry, ...]


GROUPS: tuple[Group, ...] = (
    Group("members", _("Members"), (
        Entry("nav-members", _("Find a member"), "console:member_list", Action.VIEW,
              ("console:member_detail", "console:member_edit", "console:member_reveal", "console:member_withdraw")),
        Entry("nav-member-new", _("New member"), "console:member_create", Action.ENROL),
        Entry("nav-approvals", _("Awaiting approval"), "console:approvals", Action.CARD_APPROVE),
        Entry("nav-points-adjustments", _("Points adjustments to approve"), "console:points-adjustments", Action.POINTS_DESK),
        Entry("nav-import", _("Import"), "console:member_import", Action.IMPORT),
        Entry("nav-export", _("Export"), "console:member_export", Action.EXPORT),
        Entry("nav-companies", _("Organisation accounts"), "console:companies", Action.COMPANY_VIEW,
              ("console:company", "console:company_import")),
        Entry("nav-evaluation", _("Annual evaluation"), "console:evaluations", Action.EVALUATION, ("console:evaluation*",)),
    )),
    Group("till", _("Till"), (
        Entry("nav-pos", _("Sale"), "console:pos_sale", Action.SELL, ("console:sale_detail",)),
        Entry("nav-pos-return", _("Return"), "console:pos_return", Action.SELL),
        Entry("nav-pos-redeem", _("Redeem points"), "console:pos_redeem", Action.SELL),
        Entry("nav-pos-quote", _("Price check"), "console:pos_quote", Action.SELL),
        Entry("nav-pos-attach", _("Credit a sale to a member"), "console:pos_attach", Action.SELL),
        Entry("nav-mall-orders", _("Points mall orders"), "console:mall_orders", Action.SELL, ("console:mall_order_collect",)),
        Entry("nav-pos-topup", _("Stored-value top-up"), "console:pos_topup", Action.WALLET_TOPUP),
        Entry("nav-pos-refund", _("Stored-value refund"), "console:pos_wallet_refund", Action.WALLET_REFUND),
    )),
    Group("marketing", _("Marketing and coupons"), (
        Entry("nav-coupons", _("Issue coupons"), "console:coupon_issue", Action.COUPON_ISSUE, ("console:coupon_void",)),
        Entry("nav-coupon-campaigns", _("Coupon campaigns"), "console:coupon_campaigns", Action.COUPON_CONFIG,
              ("console:coupon_campaign*", "console:coupon_rule_active")),
        Entry("nav-pricing", _("Member prices and promotions"), "console:pricing_policy", Action.PRICING_CONFIG,
              ("console:pricing_*",)),
        Entry("nav-segments", _("Segments"), "console:segment_list", Action.SEGMENTS,
              ("console:segment", "console:segment_new", "console:classification_policy")),
        Entry("nav-campaigns", _("Marketing campaigns"), "console:campaigns", Action.MESSAGE_CONFIG,
              ("console:campaign", "console:campaign_new", "console:campaign_export")),
        Entry("nav-events", _("VIP event invitations"), "console:events", Action.CARE_WORK, ("console:event", "console:event_*")),
        Entry("nav-messages", _("Outbox"), "console:outbox", Action.OUTBOX),
        Entry("nav-message-templates", _("Message templates"), "console:message_templates", Action.MESSAGE_CONFIG,
              ("console:message_template*",)),
    )),
    Group("care", _("Customer care"), (
        Entry("nav-care", _("Today's tasks"), "console:care_today", Action.CARE_WORK, ("console:care_task_act",)),
        Entry("nav-arrivals", _("Arrivals"), "console:arrivals", Action.CARE_WORK, ("console:arrival_notice_act",)),
        Entry("nav-hotline", _("VIP hotline"), "console:hotline", Action.HOTLINE),
        Entry("nav-hotline-lines", _("Hotline chains and hours"), "console:hotline_lines", Action.HOTLINE_MANAGE, ("console:hotline_line", "console:hotline_line_new")),
        Entry("nav-care-team", _("Team tasks"), "console:care_team", Action.CARE_MANAGE),
        Entry("nav-care-ownership", _("Member ownership"), "console:care_ownership", Action.OWNERSHIP),
        Entry("nav-complaints", _("Complaints"), "console:complaint_list", Action.FEEDBACK_VIEW,
              ("console:complaint_*",)),
        Entry("nav-tickets", _("Service tickets"), "console:ticket_board", Action.FEEDBACK_VIEW, ("console:ticket_*",)),
        Entry("nav-care-events", _("VIP events"), "console:care_events", Action.CARE_MANAGE,
              ("console:care_event", "console:care_event_new")),
        Entry("nav-care-rules", _("Care rules"), "console:care_rules", Action.CARE_CONFIG, ("console:care_rule*",)),
    )),
    Group("reports", _("Analysis and reports"), (
        Entry("nav-reports", _("Reports"), "console:report", Action.REPORT_VIEW, ("console:report_*",)),
        Entry("nav-performance", _("Performance"), "console:performance", Action.PERFORMANCE_VIEW,
              ("console:performance_export", "console:days_worked")),
        Entry("nav-grading-managers", _("Manager performance"), "console:grading_managers", Action.PERFORMANCE_VIEW),
        Entry("nav-clearing", _("Clearing"), "console:clearing", Action.CLEARING, ("console:clearing_export",)),
        Entry("nav-liability", _("Points liability"), "console:liability", Action.CLEARING),
        Entry("nav-partner-settlement", _("Partner settlement"), "console:partner_settlement", Action.PARTNERS,
              ("console:partner_settlement_export",)),
        Entry("nav-audit", _("Audit trail"), "console:audit_trail", Action.AUDIT_VIEW, ("console:audit_trail_export",)),
    )),
    Group("settings", pgettext_lazy("main menu", "Settings"), (
        Entry("nav-loyalty", _("Loyalty setup"), "console:loyalty_programme", Action.LOYALTY_CONFIG,
              ("console:loyalty_*", "console:wallet_config", "console:wallet_rule_active")),
        Entry("nav-grading", _("Customer grading"), "console:grading_rules", Action.LOYALTY_CONFIG),
        Entry("nav-grading-imports", _("Balance imports"), "console:grading_imports", Action.LOYALTY_CONFIG),
        Entry("nav-api-keys", _("API keys"), "console:api_keys", Action.API_KEYS),
        Entry("nav-webhooks", _("Webhooks"), "console:webhooks", Action.WEBHOOKS, ("console:webhook",)),
        Entry("nav-partners", _("Partner merchants"), "console:partners", Action.PARTNERS, ("console:partner",)),
        Entry("nav-two-factor-staff", _("Staff two-factor sign-in"), "console:two_factor_staff", HQ_ONLY,
              ("console:two_factor_reset",)),
        Entry("nav-admin", _("Back office"), "admin:index", HQ_ONLY),
    )),
)


def _allowed(user, capability: str) -> bool:
    if capability == HQ_ONLY:
        return bool(user.is_superuser or getattr(user, "role", None) == Role.HQ_ADMIN)
    return can(user, capability)


def _url(entry: Entry) -> str | None:
    try:
        return reverse(entry.url_name, kwargs=dict(entry.kwargs))
    except NoReverseMatch:
        return None


def menu_for(user, url_name: str = "") -> list[dict]:
    """The groups the user may open, each with its links: [{id, label, current, entries: [{id, label, url, current}]}]."""
    if not getattr(user, "is_authenticated", False):
        return []
    groups = []
    for group in GROUPS:
        entries = []
        for entry in group.entries:
            url = _url(entry) if _allowed(user, entry.capability) else None
            if url:
                entries.append({"id": entry.id, "label": entry.label, "url": url,
                                "current": bool(url_name) and entry.matches(url_name)})
        if entries:
            groups.append({"id": f"nav-group-{group.id}", "label": group.label, "entries": entries,
                           "current": any(e["current"] for e in entries)})
    return groups
