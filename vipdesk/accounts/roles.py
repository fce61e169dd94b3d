"""Staff roles and what each may do (R10.1, R1.3).

Capabilities are data: one table says which role may do which action. Scoping of rows (which
members a role sees) lives in `scoping.py`.
"""
from django.db import models
from django.utils.translation import gettext, gettext_lazy as _

from vipdesk.core.errors import PermissionDenied


class Role(models.TextChoices):
    HQ_ADMIN = "hq_admin", _("HQ admin")
    STORE_MANAGER = "store_manager", _("Store manager")
    GUIDE = "guide", _("Shopping guide")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    CASHIER = "cashier", _("Cashier")
    AUDITOR = "auditor", _("Auditor")


Role.STORE_ROLES = frozenset({Role.STORE_MANAGER, Role.GUIDE, Role.CASHIER})

# The role of a partner merchant's counter key (vipdesk/partners, issue 18 §3): not a staff role and
# in no row of CAPABILITIES, so `can` refuses it everything; vipdesk/api/auth.py lets it reach the
# partner endpoints only, which scope every row to the key's own partner.
PARTNER_KEY_ROLE = "partner"


class Action:
    VIEW = "view"                 # see the (masked) member file
    CHANGE = "change"             # edit the member file
    ENROL = "enrol"               # create members
    WITHDRAW = "withdraw"         # 退会
    REVEAL = "reveal"             # see full personal data of one member, with a recorded reason
    SEE_FULL = "see_full"         # see personal data unmasked without a reveal
    EXPORT = "export"             # masked export
    EXPORT_FULL = "export_full"   # full export (recorded)
    IMPORT = "import"
    CARD_ISSUE = "card_issue"     # apply for / issue cards, report lost, freeze
    CARD_APPROVE = "card_approve" # supervisor: approve or reject applications, invalidate
    CONSENT = "consent"
    TIER_OVERRIDE = "tier_override"  # set a member's tier by hand; decide manual-approval gates
    SELL = "sell"                 # post sales and returns by hand, redeem points at the counter (cashier screen)
    LOYALTY_CONFIG = "loyalty_config"  # HQ: tier programme, earn rules, points policy, catalogue and gift stock
    CLEARING = "clearing"            # clearing statements and points liability (store managers: own franchisee only)
    WALLET_TOPUP = "wallet_topup"    # take a stored-value top-up at the till (own stores), set a payment PIN
    WALLET_REFUND = "wallet_refund"  # refund unused stored-value principal (退卡/退款)
    WALLET_CONFIG = "wallet_config"  # HQ: stored-value policy, top-up bonus rules, raise a member's limit
    COUPON_CONFIG = "coupon_config"  # HQ: coupon campaigns and their issuance rules
    COUPON_ISSUE = "coupon_issue"    # issue coupons in bulk to a list or a segment, void a coupon
    PRICING_CONFIG = "pricing_config"  # HQ: member prices, member specials, member days, promotions, pricing policy
    MESSAGE = "message"              # send a member an SMS, e-mail or inbox message from a template; see their outbox
    MESSAGE_CONFIG = "message_config"  # HQ: message templates and the words a greeting may not contain
    OUTBOX = "outbox"                # the outbox of one's stores (attempts, errors), retry a failed message, cancel a waiting one
    FEEDBACK = "feedback"            # record surveys, complaints and referrals (own stores)
    FEEDBACK_VIEW = "feedback_view"  # see complaints, survey reports and referrals (own stores)
    COMPLAINT_MANAGE = "complaint_manage"  # assign, move and close complaints
    PERFORMANCE_VIEW = "performance_view"  # commission and KPIs (store managers: own stores)
    ROSTER_EDIT = "roster_edit"      # days worked (by hand or roster import) and staff groups
    CARE_WORK = "care_work"          # work one's care tasks (own book and a shift partner's), log contacts
    CARE_MANAGE = "care_manage"      # the team's tasks and completion rates, hand over tasks
    OWNERSHIP = "ownership"          # spread a store's members over its guides, pair shifts, reassign a leaver's book
    CARE_CONFIG = "care_config"      # HQ: care rules and VIP events
    SEGMENTS = "segments"            # save and use dynamic segments, see classifications (members still scoped)
    CLASSIFY_CONFIG = "classify_config"  # HQ: the classification settings (RFM, ABC, pyramid, A/B/C/D, SVIP, life cycle)
    REPORT_VIEW = "report_view"      # monthly … yearly reports, charts and their XLSX/PDF (store managers: own stores)
    AUDIT_VIEW = "audit_view"        # the audit trail: sign-ins, lockouts, role and scope changes, keys, reveals and exports
    API_KEYS = "api_keys"            # HQ: see the API keys (terminals, integrations), their expiry and last use
    POINTS_DESK = "points_desk"      # ask for and decide points adjustments (four eyes), record partner spend, reverse a redemption
    WEBHOOKS = "webhooks"            # HQ: outgoing webhook subscriptions, their delivery log, replays
    COMPANY_VIEW = "company_view"    # organisation accounts: their sales, contacts, agreements (issue 20 §1)
    COMPANY_MANAGE = "company_manage"  # HQ: create and import organisation accounts, contacts, agreements
    EVALUATION = "evaluation"        # HQ: the annual evaluation of organisation accounts, its review and approval
    PARTNERS = "partners"            # HQ: partner merchants, their benefits and counter keys, their monthly settlement
    HOTLINE = "hotline"              # the VIP hotline: desks' roster, agents' status, call log (own stores), one's own seat status
    HOTLINE_MANAGE = "hotline_manage"  # set any seat's agent status and the duty officer of one's stores


_ALL = {Action.VIEW, Action.CHANGE, Action.ENROL, Action.WITHDRAW, Action.REVEAL, Action.SEE_FULL,
        Action.EXPORT, Action.EXPORT_FULL, Action.IMPORT, Action.CARD_ISSUE, Action.CARD_APPROVE, Action.CONSENT,
        Action.TIER_OVERRIDE, Action.LOYALTY_CONFIG, Action.CLEARING, Action.SELL,
        Action.WALLET_TOPUP, Action.WALLET_REFUND, Action.WALLET_CONFIG, Action.COUPON_CONFIG, Action.COUPON_ISSUE,
        Action.PRICING_CONFIG, Action.MESSAGE, Action.MESSAGE_CONFIG, Action.OUTBOX,
        Action.FEEDBACK, Action.FEEDBACK_VIEW, Action.COMPLAINT_MANAGE, Action.PERFORMANCE_VIEW, Action.ROSTER_EDIT,
        Action.CARE_WORK, Action.CARE_MANAGE, Action.OWNERSHIP, Action.CARE_CONFIG,
        Action.SEGMENTS, Action.CLASSIFY_CONFIG, Action.REPORT_VIEW, Action.AUDIT_VIEW, Action.API_KEYS, Action.POINTS_DESK,
        Action.WEBHOOKS, Action.COMPANY_VIEW, Action.COMPANY_MANAGE, Action.EVALUATION, Action.PARTNERS,
        Action.HOTLINE, Action.HOTLINE_MANAGE}

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.HQ_ADMIN: frozenset(_ALL),
    Role.STORE_MANAGER: frozenset({Action.VIEW, Action.CHANGE, Action.ENROL, Action.WITHDRAW, Action.REVEAL,
                                   Action.EXPORT, Action.IMPORT, Action.CARD_ISSUE, Action.CARD_APPROVE, Action.CONSENT,
                                   Action.CLEARING, Action.SELL, Action.WALLET_TOPUP, Action.WALLET_REFUND, Action.COUPON_ISSUE,
                                   Action.MESSAGE, Action.OUTBOX, Action.FEEDBACK, Action.FEEDBACK_VIEW, Action.COMPLAINT_MANAGE,
                                   Action.PERFORMANCE_VIEW, Action.ROSTER_EDIT, Action.CARE_WORK, Action.CARE_MANAGE, Action.OWNERSHIP, Action.SEGMENTS,
                                   Action.REPORT_VIEW, Action.POINTS_DESK, Action.HOTLINE, Action.HOTLINE_MANAGE}),
    Role.GUIDE: frozenset({Action.VIEW, Action.CHANGE, Action.ENROL, Action.REVEAL, Action.CARD_ISSUE, Action.CONSENT,
                           Action.SELL, Action.MESSAGE, Action.FEEDBACK, Action.FEEDBACK_VIEW, Action.CARE_WORK, Action.HOTLINE}),
    Role.ACCOUNT_MANAGER: frozenset({Action.VIEW, Action.CHANGE, Action.ENROL, Action.REVEAL, Action.CARD_ISSUE, Action.CONSENT,
                                     Action.MESSAGE, Action.FEEDBACK, Action.FEEDBACK_VIEW, Action.CARE_WORK, Action.HOTLINE}),
    Role.CASHIER: frozenset({Action.VIEW, Action.ENROL, Action.CARD_ISSUE, Action.CONSENT, Action.SELL, Action.WALLET_TOPUP,
                             Action.FEEDBACK, Action.FEEDBACK_VIEW}),
    Role.AUDITOR: frozenset({Action.VIEW, Action.EXPORT, Action.CLEARING, Action.FEEDBACK_VIEW, Action.PERFORMANCE_VIEW,
                           Action.REPORT_VIEW, Action.AUDIT_VIEW, Action.COMPANY_VIEW, Action.HOTLINE}),
}


def can(principal, action: str) -> bool:
    """Whether the principal's role allows the action at all (rows are scoped separately)."""
    if principal is None or not getattr(principal, "is_authenticated", False):
        return False
    if getattr(principal, "is_superuser", False):
        return True
    return action in CAPABILITIES.get(getattr(principal, "role", ""), frozenset())


def require(actor, action: str, message=None, *, system: bool = True) -> None:
    """Refuse (403) an actor whose role may not do `action`, with `message` or "Your role may not
    do this.". `actor=None` is the system itself (a job, a signal, the demo loader) and passes;
    `system=False` is for acts only a person starts (configuration, reports), where no actor is
    refused like a role without the capability."""
    if actor is None and system:
        return
    if not can(actor, action):
        raise PermissionDenied(message if message is not None else gettext("Your role may not do this."))
