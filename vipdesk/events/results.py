"""An event's results (issue 18 §2): invited, accepted, attended (walk-ins among them), no-shows,
guests; the net sales of the attendees during the event and the `results_days` days after it against
the invited who did not come; costs, cost per attendee and ROI.

Sales: a sale (not a return) not wholly returned, at a time in [start, end + N days), net of what
was returned — the campaigns' convention (campaigns.report). Cost: each budget line's actual cost,
its budget where no actual is entered. ROI = (incremental net sales − cost) ÷ cost, where the
incremental net sales = (attendees' net sales per attendee − non-attendees' per member) × attendees
(docs/decisions.md); None when a figure is missing.
"""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from vipdesk.core.money import quantize
from vipdesk.sales.choices import SaleKind
from vipdesk.sales.models import Sale

from .choices import CostKind, EventKind, EventStatus, InvitationStatus, ReplyVia
from .models import CheckIn, Event, Invitation

MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")


def window(event: Event) -> tuple[dt.datetime, dt.datetime]:
    return event.starts_at, event.ends_at + dt.timedelta(days=event.results_days)


def _sales(member_ids, span) -> dict:
    sales = Sale.objects.filter(kind=SaleKind.SALE, amount__gt=F("returned_amount"), occurred_at__gte=span[0],
                                occurred_at__lt=span[1], member_id__in=member_ids)
    got = sales.aggregate(buyers=Count("member_id", distinct=True), net=Sum(ExpressionWrapper(F("amount") - F("returned_amount"),
                                                                                              output_field=MONEY)))
    return {"buyers": got["buyers"] or 0, "net_sales": quantize(got["net"] or ZERO)}


def _group(qs, span) -> dict:
    n = qs.count()
    out = {"members": n, **_sales(qs.values("member_id"), span)}
    out["per_member"] = quantize(out["net_sales"] / n) if n else None
    return out


def event_results(event: Event, *, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    inv = Invitation.objects.filter(event=event)
    attended = inv.filter(status=InvitationStatus.ATTENDED)
    no_show = inv.filter(status=InvitationStatus.NO_SHOW)
    if now > event.ends_at:  # before the event is finished, an accepted member who did not come is a no-show all the same
        no_show = inv.filter(status__in=(InvitationStatus.NO_SHOW, InvitationStatus.ACCEPTED))
    span = window(event)
    attendees = _group(attended, span)
    others = _group(inv.filter(walk_in=False).exclude(status=InvitationStatus.ATTENDED), span)
    lines = list(event.budget_lines.all())
    budget = sum((l.budget for l in lines), ZERO)
    actual = sum(((l.actual if l.actual is not None else l.budget) for l in lines), ZERO)
    n = attendees["members"]
    incremental = roi = None
    if n and others["members"]:
        incremental = quantize((attendees["net_sales"] / n - others["net_sales"] / others["members"]) * n)
        if actual:
            roi = (incremental - actual) / actual
    return {
        "invited": inv.filter(walk_in=False).count(), "accepted": inv.filter(accepted_at__isnull=False).count(),
        "waitlisted": inv.filter(status=InvitationStatus.WAITLISTED).count(),
        "declined": inv.filter(status=InvitationStatus.DECLINED).count(),
        "cancelled": inv.filter(status=InvitationStatus.CANCELLED).count(),
        "attended": n, "walk_ins": attended.filter(via=ReplyVia.DOOR).count(), "no_shows": no_show.count(),
        "guests": int(CheckIn.objects.filter(invitation__event=event).aggregate(g=Sum("guests"))["g"] or 0),
        "window": span, "window_complete": now >= span[1], "attendees": attendees, "others": others,
        "budget": budget, "cost": actual, "lines": [(CostKind(l.kind).label, l.budget, l.actual) for l in lines],
        "cost_per_attendee": quantize(actual / n) if n else None, "incremental_sales": incremental, "roi": roi,
    }


def events_held(start: dt.date, end: dt.date, *, store_ids=None, now: dt.datetime | None = None) -> list[dict]:
    """The results (`event_results`, unchanged) of every event held from `start` to `end` (dates, the
    default time zone): open or finished, started by `now`, neither a draft nor cancelled — for the
    reports page and its XLSX. With `store_ids` (the report's scope) an event is in when every one of
    its stores is in the scope; an event of the whole chain (no stores) only in the chain's scope
    (None), so nobody reads the figures of another store's members (docs/decisions.md)."""
    now = now or timezone.now()
    tz = timezone.get_default_timezone()
    since = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
    until = min(dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz), now)
    events = Event.objects.filter(status__in=(EventStatus.OPEN, EventStatus.FINISHED), starts_at__gte=since, starts_at__lt=until)
    if store_ids is not None:
        links = Event.stores.through.objects
        events = events.filter(pk__in=links.values("event_id")).exclude(pk__in=links.exclude(store_id__in=list(store_ids))
                                                                         .values("event_id"))
    out = []
    for event in events.prefetch_related("stores").order_by("starts_at", "id"):
        results = event_results(event, now=now)
        out.append({"event": event, "name": event.name, "kind": EventKind(event.kind).label, "starts_at": event.starts_at,
                    "stores": "、".join(s.name for s in sorted(event.stores.all(), key=lambda s: s.code)),
                    "results_days": event.results_days, **results,
                    "roi_pct": None if results["roi"] is None else f"{results['roi'] * 100:.1f}"})
    return out


def results_xlsx(event: Event, results: dict) -> bytes:
    from openpyxl import Workbook  # noqa: PLC0415 - loaded for the export only

    book = Workbook()
    sheet = book.active
    sheet.title = _("Event results")[:31]
    span = results["window"]
    sheet.append([_("VIP event"), event.name])
    sheet.append([_("Sales counted"), f"{timezone.localtime(span[0]):%Y-%m-%d %H:%M} – {timezone.localtime(span[1]):%Y-%m-%d %H:%M}"])
    sheet.append([])
    for label, key in ((_("Invited"), "invited"), (_("Accepted"), "accepted"), (_("Attended"), "attended"), (_("Walk-ins"), "walk_ins"),
                       (_("No-shows"), "no_shows"), (pgettext("VIP event", "Guests"), "guests"), (_("On the waiting list"), "waitlisted")):
        sheet.append([label, results[key]])
    sheet.append([])
    sheet.append([_("Group"), _("Members"), _("Buyers"), _("Net sales"), _("Net sales per member")])
    for label, g in ((_("Attendees"), results["attendees"]), (_("Invited, did not come"), results["others"])):
        sheet.append([label, g["members"], g["buyers"], float(g["net_sales"]), float(g["per_member"]) if g["per_member"] is not None else None])
    sheet.append([])
    sheet.append([_("Cost"), _("Budget"), _("Actual")])
    for label, planned, actual in results["lines"]:
        sheet.append([str(label), float(planned), float(actual) if actual is not None else None])
    sheet.append([_("Total cost"), float(results["budget"]), float(results["cost"])])
    sheet.append([_("Cost per attendee"), float(results["cost_per_attendee"]) if results["cost_per_attendee"] is not None else None])
    sheet.append([_("Incremental net sales"), float(results["incremental_sales"]) if results["incremental_sales"] is not None else None])
    sheet.append([_("ROI"), f"{results['roi'] * 100:.1f}%" if results["roi"] is not None else ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
