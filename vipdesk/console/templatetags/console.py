"""Template helpers: personal data shown masked unless the viewer may see it in full (R1.3)."""
from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from vipdesk.accounts.roles import Action, can as role_can
from vipdesk.care.choices import RuleKind
from vipdesk.console.navigation import menu_for
from vipdesk.core import masking
from vipdesk.members.choices import CardStatus

register = template.Library()

_MASKS = {
    "name": masking.mask_name,
    "mobile": masking.mask_mobile,
    "email": masking.mask_email,
    "id_number": masking.mask_id_number,
    "address": masking.mask_text,
    "holder_name": masking.mask_name,
    "holder_mobile": masking.mask_mobile,
}


def _see_full(context) -> bool:
    if "see_full" in context:
        return bool(context["see_full"])
    request = context.get("request")
    return bool(request and role_can(request.user, Action.SEE_FULL))


def mask_birthday(value) -> str:
    # Month and day stay visible for birthday care; the year (age) is personal data.
    return f"****-{value:%m-%d}" if value else ""


@register.simple_tag(takes_context=True)
def pii(context, obj, field: str) -> str:
    """{% pii member "mobile" %} — the value, masked unless the viewer has SEE_FULL; "—" when empty."""
    value = getattr(obj, field, "") or ""
    if not value:
        return "—"
    if _see_full(context):
        return value.isoformat() if hasattr(value, "isoformat") else value
    if field == "birthday":
        return mask_birthday(value)
    return _MASKS.get(field, masking.mask_text)(value)


@register.simple_tag(takes_context=True)
def can(context, action: str) -> bool:
    """{% can "reveal" as may_reveal %}"""
    request = context.get("request")
    return bool(request and role_can(request.user, action))


@register.filter
def mask_mobile(value) -> str:
    return masking.mask_mobile(value)


@register.filter
def mask_name(value) -> str:
    return masking.mask_name(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


# Labels for card moves (buttons) and card event verbs (history), in the user's language.
MOVE_LABELS = {
    "approve": _("Approve"), "reject": _("Reject"), "freeze": _("Freeze"), "unfreeze": _("Unfreeze"),
    "report_lost": _("Report lost"), "found": _("Found"), "invalidate": _("Invalidate"), "close": _("Close card"),
}
EVENT_LABELS = {
    "applied": _("Applied"), "approved": _("Approved"), "rejected": _("Rejected"), "freeze": _("Frozen"),
    "unfreeze": _("Unfrozen"), "report_lost": _("Reported lost"), "found": _("Found"), "invalidate": _("Invalidated"),
    "close": _("Closed"), "closed": _("Closed"), "replaced": _("Replaced"), "issued_as_replacement": _("Issued as replacement"),
    "identity_check_failed": _("Identity check failed"), "legacy_recorded": _("Old card recorded"), "migrated": _("Migrated"),
    "issued_for_legacy": _("Issued for old card"), "presented_invalid": _("Presented while unusable"),
    "presented_pending": _("Presented while awaiting approval"),
}


@register.filter
def move_label(move: str) -> str:
    return MOVE_LABELS.get(move, move)


@register.filter
def event_label(verb: str) -> str:
    return EVENT_LABELS.get(verb, verb)


@register.filter
def status_class(status: str) -> str:
    return {"active": "ok", "pending": "warn", "frozen": "warn", "lost": "bad", "invalid": "bad", "rejected": "bad"}.get(status, "muted")


@register.filter
def card_status_label(value: str) -> str:
    try:
        return CardStatus(value).label
    except ValueError:
        return value


@register.simple_tag(takes_context=True)
def main_menu(context) -> list[dict]:
    """{% main_menu as menu %} — the groups of vipdesk/console/navigation.py the user may open, the current page marked."""
    request = context.get("request")
    if request is None:
        return []
    match = getattr(request, "resolver_match", None)
    return menu_for(request.user, match.view_name if match else "")
@register.filter
def message_source(message) -> str:
    """What produced an outbox message, in words: the template's name, "客户关怀 · 生日" for a care
    rule's text (stored as "care:birthday"), "手写消息" for a free text — never the stored key."""
    if getattr(message, "template_id", None):
        return message.template.name
    code = getattr(message, "template_code", "") or ""
    if code.startswith("care:"):
        kind = code.split(":", 1)[1]
        label = RuleKind(kind).label if kind in RuleKind.values else _("Care task")
        return f"{_('Customer care')} · {label}"
    return str(_("Written message"))
