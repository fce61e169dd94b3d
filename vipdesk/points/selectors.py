"""Reads: history of a member's points and the points liability (R8.4)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q, Sum

from vipdesk.core import clock
from vipdesk.core.money import quantize

from .models import PointsEntry, PointsLot
from .services import policy


def points_history(member, *, limit: int = 50) -> list[dict]:
    rows = (PointsEntry.objects.filter(account__member_id=member.pk).select_related("store", "sale", "redemption__item")
            .order_by("-created_at", "-id")[:limit])
    return [{
        "id": e.pk, "kind": e.kind, "kind_display": str(e.get_kind_display()), "points": e.points, "debt": e.debt,
        "business_date": e.business_date.isoformat(), "store": e.store.code if e.store else None,
        "receipt_no": e.sale.receipt_no if e.sale else None,
        "item": e.redemption.item.name if e.redemption_id else None, "note": e.note,
    } for e in rows]


def points_liability(*, on: dt.date | None = None, value_per_point: Decimal | None = None) -> list[dict]:
    """Outstanding (unexpired) points × value per point, by issuing store and franchisee."""
    on = on or clock.today()
    value = value_per_point if value_per_point is not None else policy().value_per_point
    rows = (PointsLot.objects.filter(remaining__gt=0).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
            .values("store__code", "store__name", "franchisee__code", "franchisee__name")
            .annotate(points=Sum("remaining")).order_by("franchisee__code", "store__code"))
    return [{"store": r["store__code"], "store_name": r["store__name"], "franchisee": r["franchisee__code"],
             "franchisee_name": r["franchisee__name"], "points": int(r["points"]), "value": quantize(r["points"] * value)}
            for r in rows]
