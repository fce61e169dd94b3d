"""A campaign's report (issue 18 §1): what the outbox did with its messages, who opted out, and
the response against the control group.

Delivery. The target members' outbox rows by status: sent (accepted by the gateway, delivered or
not yet reported), delivered, failed, not sent at send time (by reason), still waiting.
Opted out. Audience members (target and control alike) who withdrew their marketing consent on any
channel since the campaign started — by 退订 reply, the link, or at the counter.
Response. A member responded who bought within `response_days` days from the start: a sale (not a
return) not wholly returned, at a time in [start, start + N days) — the purchases convention of the
segments (analytics.selectors._purchases) — and his net sales are amount − returned amount of
those sales. Target and control are compared as drawn (intention to treat: a target member whose
message was suppressed at send time stays in the target). Uplift = response rate of the target −
that of the control, with a 95 % confidence interval by the normal approximation of the difference
of two proportions (docs/decisions.md): ± 1.96 · √(p_t(1−p_t)/n_t + p_c(1−p_c)/n_c).
"""
from __future__ import annotations

import datetime as dt
import io
import math
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from vipdesk.core.money import quantize
from vipdesk.members.choices import ConsentPurpose
from vipdesk.members.models import Consent
from vipdesk.messaging.choices import OutboxStatus
from vipdesk.messaging.models import OutboxMessage
from vipdesk.sales.choices import SaleKind
from vipdesk.sales.models import Sale

from .choices import Group
from .models import Campaign, CampaignMember

Z95 = 1.959964
MONEY = DecimalField(max_digits=16, decimal_places=2)


def window(campaign: Campaign) -> tuple[dt.datetime, dt.datetime] | None:
    if campaign.started_at is None:
        return None
    return campaign.started_at, campaign.started_at + dt.timedelta(days=campaign.response_days)


def _rows(campaign: Campaign, store_ids=None):
    """The campaign's audience rows; with `store_ids`, only members whose home store is one of them."""
    rows = CampaignMember.objects.filter(campaign=campaign)
    return rows if store_ids is None else rows.filter(member__home_store_id__in=list(store_ids))


def _group(campaign: Campaign, group: str, span, store_ids=None) -> dict:
    members = _rows(campaign, store_ids).filter(group=group)
    n = members.count()
    buyers, net = 0, Decimal("0.00")
    if span is not None and n:
        sales = Sale.objects.filter(kind=SaleKind.SALE, amount__gt=F("returned_amount"), occurred_at__gte=span[0],
                                    occurred_at__lt=span[1], member_id__in=members.values("member_id"))
        got = sales.aggregate(buyers=Count("member_id", distinct=True),
                              net=Sum(ExpressionWrapper(F("amount") - F("returned_amount"), output_field=MONEY)))
        buyers, net = got["buyers"] or 0, quantize(got["net"] or Decimal("0"))
    rate = buyers / n if n else None
    return {"members": n, "buyers": buyers, "rate": rate, "net_sales": net,
            "per_member": quantize(net / n) if n else None}


def uplift(target: dict, control: dict) -> dict:
    """Difference of the response rates with its 95 % interval (None when a group is empty)."""
    if not target["members"] or not control["members"]:
        return {"uplift": None, "low": None, "high": None, "se": None}
    pt, pc = target["rate"], control["rate"]
    se = math.sqrt(pt * (1 - pt) / target["members"] + pc * (1 - pc) / control["members"])
    diff = pt - pc
    return {"uplift": diff, "low": diff - Z95 * se, "high": diff + Z95 * se, "se": se}


def campaign_report(campaign: Campaign, *, now: dt.datetime | None = None, store_ids=None) -> dict:
    """The report; with `store_ids` (a staff member's stores), of the members of those home stores only."""
    now = now or timezone.now()
    rows = _rows(campaign, store_ids)
    groups = dict(rows.values_list("group").annotate(n=Count("id")))
    excluded = dict(rows.filter(group=Group.EXCLUDED).values_list("reason").annotate(n=Count("id")))
    statuses = dict(OutboxMessage.objects.filter(pk__in=rows.filter(outbox__isnull=False).values("outbox_id"))
                    .values_list("status").annotate(n=Count("id")))
    not_sent = dict(OutboxMessage.objects.filter(pk__in=rows.filter(outbox__isnull=False).values("outbox_id"),
                                                 status=OutboxStatus.SUPPRESSED).values_list("reason").annotate(n=Count("id")))
    opted_out = 0
    if campaign.started_at is not None:
        opted_out = (Consent.objects.filter(member_id__in=rows.exclude(group=Group.EXCLUDED).values("member_id"),
                                            purpose=ConsentPurpose.MARKETING, granted=False, at__gte=campaign.started_at)
                     .values("member_id").distinct().count())
    span = window(campaign)
    target, control = _group(campaign, Group.TARGET, span, store_ids), _group(campaign, Group.CONTROL, span, store_ids)
    sent = statuses.get(OutboxStatus.SENT, 0) + statuses.get(OutboxStatus.DELIVERED, 0)
    return {
        "groups": {g: groups.get(g, 0) for g in Group.values}, "excluded": excluded,
        "handed": sum(statuses.values()), "sent": sent, "delivered": statuses.get(OutboxStatus.DELIVERED, 0),
        "failed": statuses.get(OutboxStatus.FAILED, 0), "not_sent": statuses.get(OutboxStatus.SUPPRESSED, 0), "not_sent_reasons": not_sent,
        "waiting": sum(statuses.get(s, 0) for s in (OutboxStatus.QUEUED, OutboxStatus.DEFERRED, OutboxStatus.SENDING)),
        "opted_out": opted_out, "window": span, "window_complete": bool(span and now >= span[1]),
        "target": target, "control": control, **uplift(target, control),
        "incremental_sales": (quantize((target["net_sales"] / target["members"] - control["net_sales"] / control["members"])
                                       * target["members"]) if target["members"] and control["members"] else None),
    }


def campaigns_started(start: dt.date, end: dt.date, *, store_ids=None, now: dt.datetime | None = None) -> list[dict]:
    """The report of every campaign started from `start` to `end` (dates, the default time zone),
    scoped to the members of `store_ids` (None: all), for the reports page and its XLSX; a campaign
    none of whose members is in the scope is left out."""
    tz = timezone.get_default_timezone()
    since = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    out = []
    for campaign in Campaign.objects.filter(started_at__gte=since, started_at__lt=until).order_by("started_at", "id"):
        report = campaign_report(campaign, now=now, store_ids=store_ids)
        if any(report["groups"].values()):
            out.append({"campaign": campaign, "name": campaign.name, "started_at": campaign.started_at,
                        "channel": campaign.get_channel_display(), "response_days": campaign.response_days, **report,
                        **{f"{k}_pct": _points(v) for k, v in (("target_rate", report["target"]["rate"]),
                                                               ("control_rate", report["control"]["rate"]), ("uplift", report["uplift"]),
                                                               ("low", report["low"]), ("high", report["high"]))}})
    return out


def _points(x) -> str | None:
    """A rate or a difference of rates in per cent, two places ("3.25"), None when there is none."""
    return None if x is None else f"{x * 100:.2f}"


def _pct(x) -> str:
    return "" if x is None else f"{x * 100:.2f}%"


def report_xlsx(campaign: Campaign, report: dict) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Campaign report")[:31]
    span = report["window"]
    sheet.append([pgettext("marketing campaign", "Campaign"), campaign.name])
    sheet.append([_("Response window"), f"{span[0]:%Y-%m-%d %H:%M} – {span[1]:%Y-%m-%d %H:%M}" if span else "-"])
    sheet.append([])
    for label, key in ((_("Handed to the outbox"), "handed"), (_("Sent"), "sent"), (_("Delivered"), "delivered"),
                       (_("Failed"), "failed"), (_("Not sent"), "not_sent"), (_("Waiting"), "waiting"), (_("Opted out"), "opted_out")):
        sheet.append([label, report[key]])
    sheet.append([])
    sheet.append([_("Group"), _("Members"), _("Buyers"), _("Response rate"), _("Net sales"), _("Net sales per member")])
    for label, g in ((_("Target"), report["target"]), (_("Control group"), report["control"])):
        sheet.append([label, g["members"], g["buyers"], _pct(g["rate"]), float(g["net_sales"]),
                      float(g["per_member"]) if g["per_member"] is not None else None])
    sheet.append([])
    sheet.append([_("Uplift"), _pct(report["uplift"])])
    sheet.append([_("95%% confidence interval") % {}, f"{_pct(report['low'])} – {_pct(report['high'])}" if report["uplift"] is not None else ""])
    sheet.append([_("Incremental net sales"), float(report["incremental_sales"]) if report["incremental_sales"] is not None else None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
