"""Win-back of lost VIPs with the reason they left (R8.3, issue 5 §2; seed 001 第六 VIP客户挽留).

Seed 001 §3.1 gives three kinds of loss — natural (moved away, died: 非人为), competition (price wars,
a rival's service) and own fault (image, rude service, quality, a complaint left unsolved) — and §3.2
the concrete causes (staff turnover, a rival's offer, the market, neglected details, broken
promises). Staff record what they learned on the win-back call; `churn_reasons_report` counts them
by kind and reason, with how many were won back, for a period and the stores the reader sees.
"""
from __future__ import annotations

import datetime as dt

from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from vipdesk.accounts.roles import Action, can
from vipdesk.audit.services import event_record
from vipdesk.core.errors import PermissionDenied, ValidationFailed
from vipdesk.members.services import member_for_actor
from vipdesk.accounts.scoping import member_scope_q
from .models import WinBack


class ChurnKind(models.TextChoices):
    NATURAL = "natural", gettext_lazy("Natural (moved, passed away)")
    COMPETITION = "competition", gettext_lazy("Competition")
    OWN_FAULT = "own_fault", gettext_lazy("Our own fault")


class ChurnReason(models.TextChoices):
    MOVED = "moved", gettext_lazy("Moved away")
    DECEASED = "deceased", gettext_lazy("Passed away")
    RIVAL_PRICE = "rival_price", gettext_lazy("A rival's prices")
    RIVAL_SERVICE = "rival_service", gettext_lazy("A rival's service or offer")
    MARKET = "market", gettext_lazy("Market change")
    STAFF_LEFT = "staff_left", gettext_lazy("Their shopping guide left")
    RUDE = "rude", gettext_lazy("Rude or indifferent service")
    SLOW = "slow", gettext_lazy("Questions left unsolved, slow answers")
    UNPROFESSIONAL = "unprofessional", gettext_lazy("Inattentive, did not understand the need")
    NO_FOLLOW_UP = "no_follow_up", gettext_lazy("No after-sales service or follow-up")
    QUALITY = "quality", gettext_lazy("Unhappy with the goods' quality")
    COMPLAINT = "complaint", gettext_lazy("A complaint was not solved")
    BROKEN_PROMISE = "broken_promise", gettext_lazy("A promise or reward not kept")
    OTHER = "other", gettext_lazy("Other")


REASONS_OF_KIND = {
    ChurnKind.NATURAL: {ChurnReason.MOVED, ChurnReason.DECEASED, ChurnReason.OTHER},
    ChurnKind.COMPETITION: {ChurnReason.RIVAL_PRICE, ChurnReason.RIVAL_SERVICE, ChurnReason.MARKET, ChurnReason.STAFF_LEFT,
                            ChurnReason.OTHER},
    ChurnKind.OWN_FAULT: {ChurnReason.RUDE, ChurnReason.SLOW, ChurnReason.UNPROFESSIONAL, ChurnReason.NO_FOLLOW_UP,
                          ChurnReason.QUALITY, ChurnReason.COMPLAINT, ChurnReason.BROKEN_PROMISE, ChurnReason.STAFF_LEFT,
                          ChurnReason.OTHER},
}


class WinBackOutcome(models.TextChoices):
    WON_BACK = "won_back", gettext_lazy("Won back")
    TRYING = "trying", gettext_lazy("Still trying")
    LOST = "lost", gettext_lazy("Lost")


@transaction.atomic
def winback_record(*, actor, member, kind: str, reason: str, outcome: str, note: str = "", at: dt.datetime | None = None):
    """Record what a win-back call learned. Staff who work care (own book) or managers; scoped."""
    if not (can(actor, Action.CARE_WORK) or can(actor, Action.CARE_MANAGE)):
        raise PermissionDenied(_("You may not record win-backs."))
    member = member_for_actor(actor, member.pk)
    fields = {}
    if kind not in ChurnKind.values:
        fields["kind"] = _("One of: natural, competition, own_fault.")
    elif reason not in REASONS_OF_KIND[ChurnKind(kind)]:
        fields["reason"] = _("Not a reason of this kind of loss.")
    if outcome not in WinBackOutcome.values:
        fields["outcome"] = _("One of: won_back, trying, lost.")
    if len(note or "") > 500:
        fields["note"] = _("At most 500 characters.")
    if fields:
        raise ValidationFailed(next(iter(fields.values())), fields=fields)
    staff = actor if getattr(actor, "_meta", None) and actor._meta.model_name == "staff" else None
    row = WinBack.objects.create(member=member, store=member.home_store, staff=staff, kind=kind, reason=reason, outcome=outcome,
                                 note=(note or "").strip(), at=at or timezone.now())
    event_record(actor=actor, verb="care.winback", obj=row, payload={"member": member.pk, "kind": kind, "reason": reason,
                                                                     "outcome": outcome})
    return row


def churn_reasons_report(*, actor, start: dt.date, end: dt.date) -> dict:
    """Counts by kind and reason for win-backs recorded in [start, end], in the reader's stores,
    with how many were won back; the latest record per member counts (a member asked twice counts once)."""
    if not (can(actor, Action.CARE_MANAGE) or can(actor, Action.SEGMENTS)):
        raise PermissionDenied(_("You may not see the churn report."))
    qs = WinBack.objects.filter(at__date__gte=start, at__date__lte=end)
    scope = member_scope_q(actor)
    if scope is not None:
        qs = qs.filter(member__in=WinBack.member.field.related_model.objects.filter(scope))
    latest = qs.order_by("member_id", "-at", "-id")
    seen, rows = set(), []
    for r in latest.values("member_id", "kind", "reason", "outcome"):
        if r["member_id"] not in seen:
            seen.add(r["member_id"])
            rows.append(r)
    by = {}
    for r in rows:
        key = (r["kind"], r["reason"])
        cell = by.setdefault(key, {"kind": r["kind"], "kind_name": str(ChurnKind(r["kind"]).label), "reason": r["reason"],
                                   "reason_name": str(ChurnReason(r["reason"]).label), "members": 0, "won_back": 0})
        cell["members"] += 1
        cell["won_back"] += r["outcome"] == WinBackOutcome.WON_BACK
    kinds = {}
    for cell in by.values():
        k = kinds.setdefault(cell["kind"], {"kind": cell["kind"], "kind_name": cell["kind_name"], "members": 0, "won_back": 0})
        k["members"] += cell["members"]
        k["won_back"] += cell["won_back"]
    return {"from": start.isoformat(), "to": end.isoformat(), "members": len(rows),
            "won_back": sum(1 for r in rows if r["outcome"] == WinBackOutcome.WON_BACK),
            "by_kind": sorted(kinds.values(), key=lambda k: -k["members"]),
            "by_reason": sorted(by.values(), key=lambda c: (-c["members"], c["kind"], c["reason"]))}
