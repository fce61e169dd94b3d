"""Coupon services (R7.1, issue 4 §2): every change of a coupon goes through here.

Issuing. `_issue` makes the coupons of one campaign for one member: per-member limit checked under
the member's row lock (the posting already holds it: its UPDATE of total_spend), the campaign's
total limit taken by one conditional UPDATE (no read-modify-write), each coupon an unguessable code.

On a sale (`coupons_issue_for_sale`, inside the posting): for each rule on sales, the cash paid on
goods the rule counts, over the member's sales of the business date when it adds up the day
(当日累计); entitlement = ⌊paid ÷ step⌋ × coupons per step (零头不计); the coupons already given
for that rule and date are subtracted. 900.00 paid → three 60-yuan B券.

Using: a sale tender `{"method": "coupon", "reference": CODE, "amount": …}`; the coupon is checked
(owner, dates, blackout, store, level, scope, threshold) and the set against the stacking rules
(stacking.check_tenders: combines with, per campaign, goods per coupon, per order, share of the
order, goods paid once), then marked used by that sale.

On a return (`coupons_return_preview` before the refund is settled, `coupons_apply_return` after):
the coupon tender's share of the returned amount is not paid back in money; when the receipt is
returned in full its coupons come back if still valid. The day's entitlement is recomputed with the
return applied and the excess coupons are revoked, unused ones first; a used one is charged back
(its value kept back from the refund) or absorbed, by the rule's policy. Each happens once: a
replayed return finds the events it wrote.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, require
from vipdesk.audit.services import event_record
from vipdesk.core import confcache
from vipdesk.core.errors import DomainError, NotFound
from vipdesk.core.money import quantize
from vipdesk.sales.models import Sale
from vipdesk.members.choices import MemberStatus
from vipdesk.members.models import Member
from vipdesk.tiers.models import MemberTier
from vipdesk.core.clock import today

from . import stacking, terms
from .campaigns import _staff, coupon_policy
from .choices import MONEY_METHODS, CouponStatus, EventKind, Trigger, UsedCouponOnReturn
from .models import Campaign, Coupon, CouponEvent, IssuanceRule
from .signals import coupons_issued, coupons_used

ZERO = Decimal("0.00")
COUPON = "coupon"  # sales.choices.PaymentMethod.COUPON
# Crockford's base32 without I, L, O, U: read aloud or typed at a till without mix-ups. 16 symbols
# are 80 random bits: guessing a live code is hopeless.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _i in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return str(code or "").strip().upper().replace("-", "").replace(" ", "")


format_code = terms._shown

# ---- issuing ---------------------------------------------------------------------------------

def _validity(campaign: Campaign, on: dt.date) -> tuple[dt.date, dt.date | None]:
    """Valid from the issue date (or the campaign's start, if later) until the campaign's end, or
    for `valid_days` days counting the day of issue."""
    start = max(on, campaign.valid_from) if campaign.valid_from else on
    if campaign.valid_days:
        return start, start + dt.timedelta(days=campaign.valid_days - 1)
    return start, campaign.valid_until


def _held(campaign: Campaign, member_id: int) -> int:
    return Coupon.objects.filter(campaign=campaign, member_id=member_id).exclude(status__in=[CouponStatus.REVOKED, CouponStatus.VOID]).count()


def _take_from_total(campaign: Campaign, count: int) -> int:
    """Count the coupons against the campaign's total; with a total limit, only what is left."""
    from django.db.models import F

    if campaign.total_limit is None:
        Campaign.objects.filter(pk=campaign.pk).update(issued_count=F("issued_count") + count)
        return count
    while count > 0:
        # One conditional UPDATE: two tills racing for the last coupons cannot both get them.
        if Campaign.objects.filter(pk=campaign.pk, issued_count__lte=campaign.total_limit - count).update(
                issued_count=F("issued_count") + count):
            return count
        left = campaign.total_limit - Campaign.objects.values_list("issued_count", flat=True).get(pk=campaign.pk)
        count = min(count - 1, max(left, 0))
    return 0


def _issue(campaign: Campaign, member_id: int | None, *, count: int, on: dt.date, rule: IssuanceRule | None = None,
           earned_by=None, source_key: str = "", batch: str = "", actor=None, note: str = "") -> list[Coupon]:
    if count <= 0 or not campaign.active:
        return []
    if member_id is not None and campaign.per_member_limit is not None:
        count = min(count, max(campaign.per_member_limit - _held(campaign, member_id), 0))
    count = _take_from_total(campaign, count) if count > 0 else 0
    if count <= 0:
        return []
    valid_from, valid_until = _validity(campaign, on)
    staff = _staff(actor)
    coupons = []
    for n in range(count):
        coupons.append(Coupon.objects.create(
            code=new_code(), campaign=campaign, member_id=member_id, face_value=campaign.face_value, valid_from=valid_from,
            valid_until=valid_until, issued_on=on, rule=rule, earned_by=earned_by,
            source_key=source_key if n == 0 else (f"{source_key}#{n}" if source_key else ""), batch=batch))
    CouponEvent.objects.bulk_create([CouponEvent(coupon=c, kind=EventKind.ISSUE, sale=earned_by, amount=c.face_value, actor=staff,
                                                 note=note) for c in coupons])
    coupons_issued.send(sender=Coupon, coupons=coupons)  # webhooks: coupon.issued
    return coupons


def _rule_applies(rule: IssuanceRule, *, on: dt.date, store_code: str | None, level_code: str | None) -> bool:
    if not rule.active or not rule.campaign.active:
        return False
    if (rule.starts_on and on < rule.starts_on) or (rule.ends_on and on > rule.ends_on):
        return False
    if rule.store_codes and store_code not in rule.store_codes:
        return False
    return not rule.level_codes or level_code in rule.level_codes


def _rules(trigger: str) -> list[IssuanceRule]:
    # kept per process until a rule, a campaign (not its issued count) or the policy is written (core.confcache)
    return list(confcache.cached("coupons", f"rules:{trigger}", lambda: list(
        IssuanceRule.objects.filter(trigger=trigger, active=True, campaign__active=True).select_related("campaign"))))


def _counts(rule: IssuanceRule, line) -> bool:
    return not ((line.category and line.category in rule.excluded_categories) or (line.brand and line.brand in rule.excluded_brands))


def paid_base(sale, rule: IssuanceRule, *, returning: dict | None = None, returning_amount: Decimal = ZERO) -> Decimal:
    """Cash paid (the rule's tenders) on the goods the rule counts, net of what was returned —
    and of a return being settled now (`returning`: {line pk: amount}, `returning_amount`).
    Money returned without naming goods is spread over the receipt in proportion."""
    if not sale.amount:
        return ZERO
    methods = rule.paid_methods or MONEY_METHODS
    paid = sum((p.amount for p in sale.payments.all() if p.method in methods), ZERO)
    if paid <= 0:
        return ZERO
    returning = returning or {}
    lines = list(sale.lines.all())
    counted = sum((line.amount - line.returned_amount - returning.get(line.pk, ZERO) for line in lines if _counts(rule, line)), ZERO)
    counted_gross = sum((line.amount for line in lines if _counts(rule, line)), ZERO)
    by_lines = sum((line.returned_amount + returning.get(line.pk, ZERO) for line in lines), ZERO)
    unnamed = sale.returned_amount + returning_amount - by_lines
    if unnamed > 0:
        counted -= unnamed * counted_gross / sale.amount
    return max(quantize(counted * paid / sale.amount, ROUND_DOWN), ZERO)


def _day_sales(member_id: int, day: dt.date, rule: IssuanceRule):
    qs = Sale.objects.filter(member_id=member_id, business_date=day, kind="sale").select_related("store").prefetch_related("lines", "payments")
    if rule.store_codes:
        qs = qs.filter(store__code__in=rule.store_codes)
    return list(qs)


def _entitled(rule: IssuanceRule, base: Decimal) -> int:
    return int(base // rule.step_amount) * rule.coupons_per_step if base > 0 else 0


def _given(rule: IssuanceRule, member_id: int, *, day: dt.date, sale=None) -> list[Coupon]:
    qs = Coupon.objects.filter(rule=rule, member_id=member_id).exclude(status=CouponStatus.REVOKED)
    qs = qs.filter(issued_on=day) if rule.accumulate_daily else qs.filter(earned_by=sale)
    return list(qs.order_by("id"))


def coupons_issue_for_sale(*, sale, level_code: str | None) -> list[Coupon]:
    """Called by the sales service inside the posting, for a member's sale (see the module doc)."""
    if sale.member_id is None:
        return []
    out = []
    for rule in _rules(Trigger.SALE):
        if not _rule_applies(rule, on=sale.business_date, store_code=sale.store.code, level_code=level_code):
            continue
        if rule.accumulate_daily:
            base = sum((paid_base(s, rule) for s in _day_sales(sale.member_id, sale.business_date, rule)), ZERO)
        else:
            base = paid_base(sale, rule)
        missing = _entitled(rule, base) - len(_given(rule, sale.member_id, day=sale.business_date, sale=sale))
        out += _issue(rule.campaign, sale.member_id, count=missing, on=sale.business_date, rule=rule, earned_by=sale)
    return out


def coupons_issue_for_event(*, member, trigger: str, on: dt.date, key: str, level_code: str | None = None,
                            store_code: str | None = None) -> list[Coupon]:
    """Registration, upgrade, birthday: each rule gives its coupons once per `key` (unique constraint)."""
    out = []
    for rule in _rules(trigger):
        if not _rule_applies(rule, on=on, store_code=store_code, level_code=level_code):
            continue
        if Coupon.objects.filter(rule=rule, member=member, source_key=key).exists():
            continue
        try:
            with transaction.atomic():
                out += _issue(rule.campaign, member.pk, count=rule.coupons_per_step, on=on, rule=rule, source_key=key)
        except IntegrityError:  # a twin gave them first
            continue
    return out


def coupons_birthday_daily(*, on: dt.date) -> dict:
    """The daily job's part: birthday coupons `days_before` the birthday (29 February counts on 28
    February in other years). Members are selected by month and day in SQL; the few of a day are issued one by one."""
    given = 0
    for rule in _rules(Trigger.BIRTHDAY):
        day = on + dt.timedelta(days=rule.days_before)
        match = Q(birthday__month=day.month, birthday__day=day.day)
        if day.month == 2 and day.day == 28 and not _leap(day.year):
            match |= Q(birthday__month=2, birthday__day=29)
        members = Member.objects.filter(match, status=MemberStatus.ACTIVE).select_related("home_store")
        levels = dict(MemberTier.objects.filter(member__in=members).values_list("member_id", "level__code"))
        for member in members.iterator(chunk_size=2000):
            if not _rule_applies(rule, on=on, store_code=member.home_store.code, level_code=levels.get(member.pk)):
                continue
            given += len(coupons_issue_for_event(member=member, trigger=Trigger.BIRTHDAY, on=on, key=f"birthday:{day.year}",
                                                 level_code=levels.get(member.pk), store_code=member.home_store.code))
    return {"issued": given}


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def coupons_give(*, campaign: Campaign, member_id: int, count: int, on: dt.date, source_key: str, note: str = "") -> list[Coupon]:
    """Coupons given by another service (a top-up gift), once per `source_key` (unique per member)."""
    if Coupon.objects.filter(campaign=campaign, member_id=member_id, source_key=source_key, rule=None).exists():
        return []
    return _issue(campaign, member_id, count=count, on=on, source_key=source_key, note=note)


# ---- bulk issue and void (staff) -------------------------------------------------------------

def require_issue(actor) -> None:
    require(actor, Action.COUPON_ISSUE, _("You may not issue or void coupons."))


def coupons_issue_bulk(*, actor, campaign: Campaign, members, count: int = 1, preview: bool = False, note: str = "") -> dict:
    """Issue `count` coupons of the campaign to each member of `members` (a queryset, already scoped
    to the actor by the caller). `preview` counts only: how many members, how many would reach
    their per-member limit. The batch is recorded in the audit trail."""
    require_issue(actor)
    ids = list(members.values_list("pk", flat=True))
    at_limit = 0
    if campaign.per_member_limit is not None and ids:
        from django.db.models import Count

        held = dict(Coupon.objects.filter(campaign=campaign, member_id__in=ids).exclude(status__in=[CouponStatus.REVOKED, CouponStatus.VOID])
                    .values_list("member_id").annotate(n=Count("id")).values_list("member_id", "n"))
        at_limit = sum(1 for pk in ids if held.get(pk, 0) + count > campaign.per_member_limit)
    answer = {"members": len(ids), "at_limit": at_limit, "campaign": campaign.code}
    if preview:
        return answer
    if not campaign.active:
        raise DomainError(_("The campaign %(name)s has been stopped.") % {"name": campaign.name}, code="campaign_inactive", status=409)

    batch = f"bulk-{timezone.now():%Y%m%d%H%M%S}-{secrets.token_hex(3)}"
    issued = 0
    for start in range(0, len(ids), 500):
        with transaction.atomic():
            for pk in ids[start:start + 500]:
                issued += len(_issue(campaign, pk, count=count, on=today(), batch=batch, actor=actor, note=note))
    event_record(actor=actor, verb="coupon.bulk_issue", obj=campaign, payload={**answer, "issued": issued, "batch": batch})
    return {**answer, "issued": issued, "batch": batch}


@transaction.atomic
def coupon_void(*, actor, coupon: Coupon, reason: str) -> Coupon:
    require_issue(actor)
    if not str(reason or "").strip():
        raise DomainError(_("Give the reason for voiding the coupon."), code="validation_error", fields={"reason": _("Required.")})
    return coupon_void_locked(Coupon.objects.select_for_update().get(pk=coupon.pk), actor=actor, reason=reason)


def coupon_void_locked(coupon: Coupon, *, actor, reason: str) -> Coupon:
    """Void a coupon the caller has locked (select_for_update), if it is still unused. Also the undo
    of a points-mall redemption paid in coupons (fulfilment.py), where the canceller need not be
    someone who may issue coupons."""
    if coupon.status != CouponStatus.ISSUED:
        raise DomainError(_("Only an unused coupon can be voided; this one is %(status)s.") % {"status": coupon.get_status_display()},
                          code="coupon_not_usable", status=409)
    coupon.status = CouponStatus.VOID
    coupon.save(update_fields=["status", "updated_at"])
    CouponEvent.objects.create(coupon=coupon, kind=EventKind.VOID, actor=_staff(actor),
                               note=str(reason).strip()[:200])
    event_record(actor=actor, verb="coupon.void", obj=coupon, payload={"reason": str(reason).strip()[:200]})
    return coupon


# ---- using coupons on a sale -----------------------------------------------------------------

def coupon_by_code(code: str) -> Coupon:
    found = Coupon.objects.select_related("campaign").filter(code=normalise_code(code)).first()
    if found is None:
        raise terms.CouponRefused(_("No coupon with code %(code)s.") % {"code": code}, code="coupon_not_found")
    return found


def _level_code(member_id: int | None) -> str | None:
    if member_id is None:
        return None

    return MemberTier.objects.filter(member_id=member_id).values_list("level__code", flat=True).first()


def coupon_check(*, code: str, member_id: int | None, store_code: str, lines, on: dt.date) -> dict:
    """The till's look-up before paying: is this coupon usable on these lines, and for how much."""
    coupon = coupon_by_code(code)
    terms.check_usable(coupon, member_id=member_id, store_code=store_code, level_code=_level_code(member_id), on=on)
    allowed = terms.allowance(coupon.campaign, lines, face_value=coupon.face_value)
    return {**coupon_dict(coupon), "usable": allowed > 0, "allowance": str(allowed)}


def coupons_check_given(codes: list[str], *, store_code: str, on: dt.date, lines=None, amounts=None) -> list[Coupon]:
    """The coupons given at the till, checked for what does not depend on the member — each code a
    coupon, none twice, usable in this store today, and with the receipt's `lines` (terms.Line) the
    `amounts` asked of them and their combination — before the till identifies the member, so a
    coupon refused for itself reads the same for a member and a stranger (issue 13 §12). Using them
    checks everything again, under the coupons' row locks."""
    wanted = [normalise_code(c) for c in codes]
    if len(set(wanted)) != len(wanted):
        raise terms.CouponRefused(_("The same coupon is given twice."), code="coupon_duplicate")
    found = {c.code: c for c in Coupon.objects.select_related("campaign").filter(code__in=wanted)}
    for raw, code in zip(codes, wanted):
        if code not in found:
            raise terms.CouponRefused(_("No coupon with code %(code)s.") % {"code": raw or "—"}, code="coupon_not_found")
        terms.check_usable(found[code], member_id=None, store_code=store_code, level_code=None, on=on, whose=False)
    given = [found[c] for c in wanted]
    if lines is not None and amounts is not None:
        for coupon, amount in zip(given, amounts):
            terms.check_amount(coupon, lines, amount)
        # the stacking rules, share cap and goods covered, as the sale checks them (stacking.py)
        stacking.check_tenders(list(zip(given, amounts)), lines, total=sum((ln.amount for ln in lines), Decimal("0.00")),
                               policy=stacking.Policy.of(coupon_policy()))
    return given


def coupons_use_for_sale(*, sale) -> list[Coupon]:
    """Mark the sale's coupon tenders used (inside the posting). Refusals fail the posting."""
    tenders = [p for p in sale.payments.all() if p.method == COUPON]
    if not tenders:
        return []
    codes = [normalise_code(p.reference) for p in tenders]
    if len(set(codes)) != len(codes):
        raise terms.CouponRefused(_("The same coupon is given twice."), code="coupon_duplicate")
    found = {c.code: c for c in Coupon.objects.select_for_update(of=("self",)).select_related("campaign").filter(code__in=codes).order_by("pk")}
    level = _level_code(sale.member_id)
    lines = list(sale.lines.all())
    coupons = []
    for tender, code in zip(tenders, codes):
        coupon = found.get(code)
        if coupon is None:
            raise terms.CouponRefused(_("No coupon with code %(code)s.") % {"code": tender.reference or "—"}, code="coupon_not_found")
        terms.check_usable(coupon, member_id=sale.member_id, store_code=sale.store.code, level_code=level, on=sale.business_date)
        terms.check_amount(coupon, lines, tender.amount)
        coupons.append((coupon, tender.amount))
    stacking.check_tenders(coupons, lines, total=sale.amount, policy=stacking.Policy.of(coupon_policy()))
    now = timezone.now()
    for coupon, amount in coupons:
        Coupon.objects.filter(pk=coupon.pk).update(status=CouponStatus.USED, used_sale=sale, used_amount=amount, used_at=now, updated_at=now)
        coupon.status, coupon.used_sale, coupon.used_amount = CouponStatus.USED, sale, amount
    CouponEvent.objects.bulk_create([CouponEvent(coupon=c, kind=EventKind.USE, sale=sale, amount=a) for c, a in coupons])
    coupons_used.send(sender=Coupon, coupons=[c for c, _a in coupons], sale=sale)  # webhooks: coupon.used
    return [c for c, _a in coupons]


# ---- returns ---------------------------------------------------------------------------------

@dataclass
class ReturnCoupons:
    """What a return does to coupons, settled before the refund is (the charge back lowers it)."""

    charge_back: Decimal = ZERO
    revoke: list = field(default_factory=list)  # [(coupon, charge back amount or None)]
    restore: list = field(default_factory=list)
    expired: list = field(default_factory=list)  # used on the receipt, returned in full, no longer valid


def coupons_return_preview(*, original, amount: Decimal, plan: list, on: dt.date, money_left: Decimal) -> ReturnCoupons:
    """`plan`: [(original line, quantity, amount)] of the return being settled (empty: by amount)."""
    out = ReturnCoupons()
    if original.member_id is not None:
        returning = {line.pk: line_amount for line, _q, line_amount in plan}
        from vipdesk.members.models import Member

        # The member's row lock (as a posting takes it) keeps two returns of one day from revoking the same coupon.
        Member.objects.select_for_update().filter(pk=original.member_id).values_list("pk").first()
        for rule in IssuanceRule.objects.filter(coupons__member_id=original.member_id, coupons__issued_on=original.business_date,
                                                trigger=Trigger.SALE).distinct().select_related("campaign"):
            if rule.accumulate_daily:
                sales = _day_sales(original.member_id, original.business_date, rule)
            else:
                sales = [original]
            base = sum((paid_base(s, rule, returning=returning, returning_amount=amount) if s.pk == original.pk
                        else paid_base(s, rule) for s in sales), ZERO)
            given = _given(rule, original.member_id, day=original.business_date, sale=original)
            excess = len(given) - _entitled(rule, base)
            if excess <= 0:
                continue
            # unused first, newest first: the member keeps what was spent when that is possible
            order = sorted(given, key=lambda c: (c.status == CouponStatus.USED, -c.pk))
            for coupon in order[:excess]:
                charge = None
                if coupon.status == CouponStatus.USED and rule.used_on_return == UsedCouponOnReturn.CHARGE_BACK:
                    charge = min(coupon.used_amount or ZERO, money_left - out.charge_back)
                    out.charge_back += charge
                out.revoke.append((coupon, charge))
    if original.returned_amount + amount >= original.amount:
        for coupon in Coupon.objects.select_related("campaign").filter(used_sale=original, status=CouponStatus.USED):
            (out.restore if coupon.valid_until is None or coupon.valid_until >= on else out.expired).append(coupon)
    return out


def coupons_apply_return(*, sale_return, plan: ReturnCoupons) -> dict:
    """Write what the preview settled (inside the return's transaction, original locked)."""
    now = timezone.now()
    events = []
    for coupon, charge in plan.revoke:
        if coupon.status == CouponStatus.ISSUED:
            Coupon.objects.filter(pk=coupon.pk, status=CouponStatus.ISSUED).update(status=CouponStatus.REVOKED, updated_at=now)
            events.append(CouponEvent(coupon=coupon, kind=EventKind.REVOKE, sale=sale_return, amount=coupon.face_value))
        elif charge is not None:
            events.append(CouponEvent(coupon=coupon, kind=EventKind.CHARGE_BACK, sale=sale_return, amount=charge))
            Coupon.objects.filter(pk=coupon.pk).update(status=CouponStatus.REVOKED, updated_at=now)
        else:  # used, absorbed by the mall: recorded, the member keeps what was bought with it
            events.append(CouponEvent(coupon=coupon, kind=EventKind.REVOKE, sale=sale_return, amount=ZERO, note="absorbed"))
            Coupon.objects.filter(pk=coupon.pk).update(status=CouponStatus.REVOKED, updated_at=now)
    for coupon in plan.restore:
        Coupon.objects.filter(pk=coupon.pk, status=CouponStatus.USED).update(
            status=CouponStatus.ISSUED, used_sale=None, used_amount=None, used_at=None, updated_at=now)
        events.append(CouponEvent(coupon=coupon, kind=EventKind.RESTORE, sale=sale_return, amount=coupon.used_amount))
    CouponEvent.objects.bulk_create(events)
    return {
        "revoked": [format_code(c.code) for c, _charge in plan.revoke],
        "restored": [format_code(c.code) for c in plan.restore],
        "not_restored_expired": [format_code(c.code) for c in plan.expired],
        "charged_back": str(plan.charge_back),
    }


# ---- reading ---------------------------------------------------------------------------------

def coupon_state(coupon: Coupon, on: dt.date | None = None) -> str:
    """The status a person reads: an issued coupon past its end date shows as expired."""
    on = on or today()
    if coupon.status == CouponStatus.ISSUED and coupon.valid_until is not None and coupon.valid_until < on:
        return "expired"
    return coupon.status


def coupon_dict(coupon: Coupon) -> dict:
    campaign = coupon.campaign
    return {
        "code": format_code(coupon.code), "campaign": campaign.code, "name": campaign.name, "kind": campaign.kind,
        "face_value": str(coupon.face_value) if coupon.face_value is not None else None,
        "discount_zhe": str(campaign.discount_zhe) if campaign.discount_zhe is not None else None,
        "threshold": str(campaign.threshold), "status": coupon_state(coupon),
        "valid_from": coupon.valid_from.isoformat(), "valid_until": coupon.valid_until.isoformat() if coupon.valid_until else None,
        "issued_on": coupon.issued_on.isoformat(), "used_amount": str(coupon.used_amount) if coupon.used_amount is not None else None,
    }


def usable_coupons(member):
    """The member's coupons that can still be used: issued, not past their end date."""
    return Coupon.objects.filter(member=member, status=CouponStatus.ISSUED).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today()))


def member_coupons(member, *, include_closed: bool = False) -> list[dict]:
    """Usable coupons, soonest expiring first; `include_closed` adds used, void, revoked and expired ones."""
    qs = Coupon.objects.filter(member=member) if include_closed else usable_coupons(member)
    return [coupon_dict(c) for c in qs.select_related("campaign").order_by("valid_until", "id")]
