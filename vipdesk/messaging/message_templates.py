"""Message templates (R9.2): checked (placeholders, and no advertising in a greeting), saved by
HQ, looked up by code when a message is enqueued."""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action
from vipdesk.audit.services import event_record
from vipdesk.core.errors import NotFound, ValidationFailed
from vipdesk.members.choices import ConsentPurpose

from . import rendering, rules
from .choices import Channel, MessageKind
from .models import MessageTemplate
from .outbox import _require


TEMPLATE_FIELDS = ("name", "purpose", "kind", "channels", "subject_zh", "body_zh", "subject_en", "body_en",
                   "extra_placeholders", "sms_template_code", "active")


def template_check(data: dict[str, Any]) -> dict[str, Any]:
    """Validate a template's fields (the service and the admin form share this); return them cleaned."""
    data = {k: v for k, v in data.items() if k in TEMPLATE_FIELDS or k == "code"}
    errors = {}
    if data.get("purpose") not in ConsentPurpose.values:
        errors["purpose"] = _("Choose service or marketing.")
    if data.get("kind") not in MessageKind.values:
        errors["kind"] = _("Choose greeting, notice or marketing.")
    elif data["kind"] == MessageKind.MARKETING and data.get("purpose") != ConsentPurpose.MARKETING:
        errors["purpose"] = _("A marketing message needs the member's marketing consent: choose the purpose marketing.")
    channels = data.get("channels") or []
    if not isinstance(channels, (list, tuple)) or not channels or any(c not in Channel.values for c in channels):
        errors["channels"] = _("Choose one or more of sms, email, inbox.")
    else:
        data["channels"] = sorted(set(channels))
    if not (data.get("body_zh") or "").strip():
        errors["body_zh"] = _("The Chinese text is required.")
    extra = data.get("extra_placeholders") or []
    if not isinstance(extra, (list, tuple)) or any(not isinstance(x, str) or not rendering._WORD.match(x) or x in rendering.BUILTIN
                                                   for x in extra):
        errors["extra_placeholders"] = _("Extra placeholders are lower-case words that are not built in.")
        extra = []
    data["extra_placeholders"] = list(extra)
    if errors:
        raise ValidationFailed(next(iter(errors.values())), fields=errors)
    texts = {f: data.get(f) or "" for f in ("subject_zh", "body_zh", "subject_en", "body_en")}
    rendering.check_placeholders(texts, data["extra_placeholders"])
    rules.check_content(data["kind"], texts)
    return data


@transaction.atomic
def template_save(*, actor, code: str, new: bool = False, **fields) -> MessageTemplate:
    """Create or change the template `code`. A greeting with advertising words is refused. With
    `new`, an existing code is refused instead of changed (a form that creates a template)."""
    _require(actor, Action.MESSAGE_CONFIG)
    code = (code or "").strip()
    if not code or len(code) > 40:
        raise ValidationFailed(_("Give the template a code of at most 40 characters."), fields={"code": _("Required.")})
    template = MessageTemplate.objects.select_for_update().filter(code=code).first()
    if new and template is not None:
        raise ValidationFailed(_("A template with the code %(code)s exists already.") % {"code": code},
                               fields={"code": _("Taken: choose another code.")})
    current = {f: getattr(template, f) for f in TEMPLATE_FIELDS} if template else {"active": True}
    data = template_check({**current, **fields})
    if template is None:
        template = MessageTemplate(code=code)
    for key, value in data.items():
        if key != "code":
            setattr(template, key, value)
    template.save()
    event_record(actor=actor, verb="message_template.saved", obj=template, payload={"code": code, "kind": template.kind})
    return template


def template_get(code: str, *, active_only: bool = True) -> MessageTemplate:
    qs = MessageTemplate.objects.filter(code=code)
    if active_only:
        qs = qs.filter(active=True)
    template = qs.first()
    if template is None:
        raise NotFound(_("No active message template with the code %(code)s.") % {"code": code}, code="template_not_found")
    return template
