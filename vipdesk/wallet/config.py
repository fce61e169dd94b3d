"""Stored-value configuration: the policy HQ sets for every account (spending order, limits, the
amount payable without a PIN, the extra discount), and the settings of one account — HQ's own limit
for a member, the payment PIN, what a supplementary card may spend."""
from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action
from vipdesk.audit.services import actor_fields, event_record
from vipdesk.core import parsing
from vipdesk.core.errors import PermissionDenied, ValidationFailed
from vipdesk.members.choices import CardKind
from vipdesk.members.services import member_for_actor

from .choices import SpendOrder
from .ledger import _locked_account, _require, policy
from .models import CardSpendLimit, WalletAccount, WalletLimitChange, WalletPolicy


POLICY_FIELDS = ("spend_order", "named_limit", "anonymous_limit", "limit_includes_bonus", "no_pin_limit", "extra_discount_percent")


@transaction.atomic
def wallet_policy_save(*, actor, data: dict) -> WalletPolicy:
    """Change the stored-value policy (HQ). Unknown or missing keys keep their current value."""
    _require(actor, Action.WALLET_CONFIG, _("Only HQ may change the stored-value configuration."))
    policy()
    pol = WalletPolicy.objects.select_for_update().get(code="default")
    problems = parsing.Problems()
    before = {k: getattr(pol, k) for k in POLICY_FIELDS}
    clean = dict(before)
    if "spend_order" in data:
        clean["spend_order"] = parsing.choice(data.get("spend_order"), "spend_order", problems, SpendOrder)
    for key in ("named_limit", "anonymous_limit", "no_pin_limit"):
        if key in data:
            raw = data[key]
            clean[key] = parsing.money(str(raw) if isinstance(raw, Decimal) else raw, key, problems)
    if "extra_discount_percent" in data:
        raw = data["extra_discount_percent"]
        clean["extra_discount_percent"] = parsing.decimal(str(raw) if isinstance(raw, Decimal) else raw, "extra_discount_percent",
                                                          problems, places=2, maximum=Decimal("99.99"))
    if "limit_includes_bonus" in data:
        clean["limit_includes_bonus"] = parsing.flag(data.get("limit_includes_bonus"))
    problems.raise_if_any()
    for key, value in clean.items():
        setattr(pol, key, value)
    pol.save(update_fields=[*POLICY_FIELDS, "updated_at"])
    event_record(actor=actor, verb="wallet.policy_update", obj=pol,
                 payload={"before": {k: str(v) for k, v in before.items()}, "after": {k: str(v) for k, v in clean.items()}})
    return pol


# ---- limits, PIN, supplementary cards ------------------------------------------------------------

@transaction.atomic
def wallet_raise_limit(*, actor, member, limit, reason: str) -> WalletLimitChange:
    """HQ sets one member's limit above (or back to, with limit=None) the policy's. Recorded with the
    reason and the actor, and as an audit event."""
    _require(actor, Action.WALLET_CONFIG, _("Only HQ may change a member's stored-value limit."))
    if actor is None:
        raise PermissionDenied(_("Only HQ may change a member's stored-value limit."))
    problems = parsing.Problems()
    limit = None if limit in (None, "") else parsing.money(str(limit) if isinstance(limit, Decimal) else limit, "limit", problems)
    reason = parsing.text(reason, "reason", problems, limit=200, required=True)
    problems.raise_if_any()
    account = _locked_account(member.pk)
    change = WalletLimitChange.objects.create(account=account, before=account.limit_override, after=limit, reason=reason,
                                              **actor_fields(actor))
    WalletAccount.objects.filter(pk=account.pk).update(limit_override=limit, updated_at=timezone.now())
    event_record(actor=actor, verb="wallet.limit_change", obj=account,
                 payload={"member": member.pk, "before": str(account.limit_override) if account.limit_override is not None else None,
                          "after": str(limit) if limit is not None else None, "reason": reason})
    account.limit_override = limit
    return change


@transaction.atomic
def wallet_set_pin(*, actor, member, pin: str | None) -> None:
    """Set (6 digits) or clear (None) the member's stored-value payment PIN; only its hash is kept."""
    _require(actor, Action.WALLET_TOPUP, _("Your role may not change a stored-value PIN."))
    if pin is not None and not (isinstance(pin, str) and len(pin) == 6 and pin.isdigit()):
        raise ValidationFailed(_("The PIN is 6 digits."), fields={"pin": _("The PIN is 6 digits.")})
    account = _locked_account(member.pk)
    WalletAccount.objects.filter(pk=account.pk).update(pin_hash=make_password(pin) if pin else "", updated_at=timezone.now())
    event_record(actor=actor, verb="wallet.pin_set" if pin else "wallet.pin_clear", obj=account, payload={"member": member.pk})


@transaction.atomic
def wallet_card_limit_set(*, actor, card, per_payment=None, per_day=None) -> CardSpendLimit:
    """What a supplementary card may spend from the holder's account (None: no limit of that kind)."""
    _require(actor, Action.CARD_ISSUE, _("Your role may not do this."))
    if actor is not None:
        member_for_actor(actor, card.member_id, action=Action.CARD_ISSUE)
    if card.kind != CardKind.SUPPLEMENTARY:
        raise ValidationFailed(_("Spending limits are set on supplementary cards."), fields={"card": _("Not a supplementary card.")})
    problems = parsing.Problems()
    clean = {key: None if value in (None, "") else parsing.money(str(value), key, problems)
             for key, value in (("per_payment", per_payment), ("per_day", per_day))}
    problems.raise_if_any()
    row, _c = CardSpendLimit.objects.update_or_create(card=card, defaults=clean)
    event_record(actor=actor, verb="wallet.card_limit", obj=card, payload={k: str(v) if v is not None else None for k, v in clean.items()})
    return row
