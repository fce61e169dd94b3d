"""Partner merchants as HQ keeps them (R11.2): the partner and its contract, its benefits per
level, its counter key. Every write of the console and the API goes through here."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import PARTNER_KEY_ROLE, Action, require
from vipdesk.audit.services import event_record
from vipdesk.core.errors import NotFound, ValidationFailed
from vipdesk.org.services import api_client_create, api_client_revoke
from vipdesk.points.models import PartnerSpend
from vipdesk.tiers.models import Level
from vipdesk.tiers.programme import active_programme

from .choices import BenefitKind, Category
from .models import BenefitUse, Partner, PartnerBenefit, PartnerRedemption

PARTNER_FIELDS = ("code", "name", "category", "contact_name", "contact_mobile", "contact_email", "address",
                  "contract_start", "contract_end", "point_value")


def _date(raw, field: str, errors: dict):
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw or "").strip())
    except ValueError:
        errors[field] = _("Give a date like 2026-01-31.")
        return None


def _decimal(raw, field: str, errors: dict, *, low: Decimal, high: Decimal, blank_ok: bool = False):
    text = str(raw if raw is not None else "").strip()
    if not text and blank_ok:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors[field] = _("Give a number.")
        return None
    if not value.is_finite() or not low <= value <= high:
        errors[field] = _("Give a number from %(low)s to %(high)s.") % {"low": low, "high": high}
        return None
    return value


def _has_records(partner: Partner) -> bool:
    """Spends are matched to a partner by its code (points.PartnerSpend.partner), so a partner with
    records keeps its code: a new code would drop them from its settlement (issue 18 §3)."""
    return (BenefitUse.objects.filter(partner=partner).exists() or PartnerRedemption.objects.filter(partner=partner).exists()
            or PartnerSpend.objects.filter(partner=partner.code).exists())


def _clean_partner(data: dict, *, instance: Partner | None) -> dict:
    errors: dict = {}
    clean = {k: str(data.get(k) or "").strip() for k in PARTNER_FIELDS}
    if not clean["code"] or len(clean["code"]) > 20 or not clean["code"].replace("-", "").replace("_", "").isalnum():
        errors["code"] = _("Give a short code of letters, digits, - or _ (up to 20).")
    elif Partner.objects.filter(code=clean["code"]).exclude(pk=getattr(instance, "pk", None)).exists():
        errors["code"] = _("Another partner has this code.")
    elif instance is not None and clean["code"] != instance.code and _has_records(instance):
        errors["code"] = _("The code cannot change: this partner already has benefit uses, spends or points payments under it.")
    if not clean["name"] or len(clean["name"]) > 60:
        errors["name"] = _("Give the partner's name (up to 60 characters).")
    elif Partner.objects.filter(name=clean["name"]).exclude(pk=getattr(instance, "pk", None)).exists():
        errors["name"] = _("Another partner has this name.")
    if clean["category"] not in Category.values:
        errors["category"] = _("Choose a category.")
    for field, most in (("contact_name", 40), ("contact_mobile", 20), ("contact_email", 254), ("address", 120)):
        if len(clean[field]) > most:
            errors[field] = _("Too long.")
    if clean["contact_email"] and "@" not in clean["contact_email"]:
        errors["contact_email"] = _("Not an e-mail address.")
    clean["contract_start"] = _date(data.get("contract_start"), "contract_start", errors)
    clean["contract_end"] = _date(data.get("contract_end"), "contract_end", errors)
    if clean["contract_start"] and clean["contract_end"] and clean["contract_end"] < clean["contract_start"]:
        errors["contract_end"] = _("The contract cannot end before it starts.")
    clean["point_value"] = _decimal(data.get("point_value") or "0.01", "point_value", errors, low=Decimal("0"), high=Decimal("10"))
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    return clean


@transaction.atomic
def partner_save(*, actor, data: dict, partner: Partner | None = None) -> Partner:
    """Create a partner or change one (code, name, category, contacts, contract, point value)."""
    require(actor, Action.PARTNERS, system=False)
    clean = _clean_partner(data, instance=partner)
    if partner is None:
        partner = Partner.objects.create(**clean)
        event_record(actor=actor, verb="partner.created", obj=partner, payload={"code": partner.code})
    else:
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        for key, value in clean.items():
            setattr(partner, key, value)
        partner.save()
        event_record(actor=actor, verb="partner.changed", obj=partner, payload={"code": partner.code})
    return partner


@transaction.atomic
def partner_set_active(*, actor, partner: Partner, active: bool) -> Partner:
    require(actor, Action.PARTNERS, system=False)
    Partner.objects.filter(pk=partner.pk).update(active=active)
    partner.refresh_from_db()
    event_record(actor=actor, verb="partner.activated" if active else "partner.deactivated", obj=partner, payload={})
    return partner


@transaction.atomic
def partner_key_issue(*, actor, partner: Partner) -> str:
    """A new counter key for the partner (shown once); the previous one stops working at once."""
    require(actor, Action.PARTNERS, system=False)
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    old = partner.api_client
    if old is not None and old.active:
        api_client_revoke(client=old, actor=actor)
    n = 1 + (old.pk if old else 0)
    client, key = api_client_create(name=f"partner:{partner.code}:{n}", role=PARTNER_KEY_ROLE, actor=actor)
    Partner.objects.filter(pk=partner.pk).update(api_client=client)
    partner.api_client = client
    return key


def _clean_benefit(partner: Partner, data: dict, instance: PartnerBenefit | None) -> dict:
    errors: dict = {}
    programme = active_programme()
    level = None
    raw = str(data.get("level") or "").strip()
    level_id = int(raw) if raw.isdigit() and len(raw) < 10 else None
    if programme is not None and level_id is not None:
        level = Level.objects.filter(pk=level_id, programme=programme).first()
    if level is None:
        errors["level"] = _("Choose a level of the active programme.")
    code = str(data.get("code") or "").strip()
    name = str(data.get("name") or "").strip()
    kind = str(data.get("kind") or BenefitKind.DISCOUNT).strip()
    if not code or len(code) > 30 or not code.replace("-", "").replace("_", "").isalnum():
        errors["code"] = _("Give a short code of letters, digits, - or _ (up to 30).")
    if not name or len(name) > 60:
        errors["name"] = _("Give the benefit's name as the partner's staff will read it (up to 60).")
    if kind not in BenefitKind.values:
        errors["kind"] = _("Choose a kind.")
    discount = _decimal(data.get("discount"), "discount", errors, low=Decimal("0.1"), high=Decimal("9.99"), blank_ok=True)
    if kind == BenefitKind.DISCOUNT and discount is None and "discount" not in errors:
        errors["discount"] = _("A discount needs its rate, e.g. 9.5 for 9.5折.")
    per_month = str(data.get("per_month") or "").strip()
    per_visit = str(data.get("per_visit") or "1").strip()
    if per_month and (not per_month.isdigit() or not 1 <= int(per_month) <= 1000):
        errors["per_month"] = _("Give a whole number from 1 to 1000, or leave empty for no limit.")
    if not per_visit.isdigit() or not 1 <= int(per_visit) <= 1000:
        errors["per_visit"] = _("Give a whole number from 1 to 1000.")
    if level is not None and not errors.get("code") and PartnerBenefit.objects.filter(
            partner=partner, level=level, code=code).exclude(pk=getattr(instance, "pk", None)).exists():
        errors["code"] = _("This level already has a benefit with this code here.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    return {"level": level, "code": code, "name": name, "kind": kind, "discount": discount,
            "per_month": int(per_month) if per_month else None, "per_visit": int(per_visit)}


@transaction.atomic
def partner_benefit_save(*, actor, partner: Partner, data: dict, benefit: PartnerBenefit | None = None) -> PartnerBenefit:
    """Add or change what one level gets at the partner, with its limits."""
    require(actor, Action.PARTNERS, system=False)
    clean = _clean_benefit(partner, data, benefit)
    if benefit is None:
        benefit = PartnerBenefit.objects.create(partner=partner, **clean)
    else:
        PartnerBenefit.objects.filter(pk=benefit.pk, partner=partner).update(**clean)
        benefit.refresh_from_db()
    event_record(actor=actor, verb="partner.benefit_saved", obj=partner, payload={"benefit": benefit.pk, "code": benefit.code,
                                                                                "level": benefit.level.code})
    return benefit


@transaction.atomic
def partner_benefit_set_active(*, actor, partner: Partner, benefit_id, active: bool) -> PartnerBenefit:
    require(actor, Action.PARTNERS, system=False)
    benefit = PartnerBenefit.objects.filter(pk=benefit_id, partner=partner).first()
    if benefit is None:
        raise NotFound(_("No such benefit at this partner."))
    PartnerBenefit.objects.filter(pk=benefit.pk).update(active=active)
    benefit.refresh_from_db()
    event_record(actor=actor, verb="partner.benefit_saved", obj=partner, payload={"benefit": benefit.pk, "active": active})
    return benefit


@transaction.atomic
def partner_benefits_from_levels(*, actor, partner: Partner) -> int:
    """Give the partner the "联盟商家X折" discount each level of the active programme names
    (the level benefit coded partner_discount, kept as it was for the member's benefit list):
    one discount benefit per level that has one and none here yet. Returns how many were added."""
    require(actor, Action.PARTNERS, system=False)
    programme = active_programme()
    if programme is None:
        return 0
    added = 0
    for level in Level.objects.filter(programme=programme).prefetch_related("benefits").order_by("rank"):
        for benefit in level.benefits.all():
            if benefit.code != "partner_discount" or benefit.value is None:
                continue
            _row, created = PartnerBenefit.objects.get_or_create(
                partner=partner, level=level, code="partner_discount",
                defaults={"name": benefit.name, "kind": BenefitKind.DISCOUNT, "discount": benefit.value})
            added += created
    event_record(actor=actor, verb="partner.benefit_saved", obj=partner, payload={"from_levels": added})
    return added
