"""Reads for the 券 and 储值 panes of the 360° page (issue 4 §5). Nothing here writes.

Both panes are bounded (the usable coupons, or the last 50 with ?all; the last 10 stored-value
entries) and cost a fixed number of queries whatever the member's history.
"""
from __future__ import annotations

from vipdesk.coupons.models import Coupon
from vipdesk.coupons.services import member_coupons, normalise_code, usable_coupons
from vipdesk.wallet.models import WalletEntry
from vipdesk.wallet.services import wallet_summary

USABLE_ROWS = 20
HISTORY_ROWS = 50
WALLET_ROWS = 10


def coupons_pane(member, *, include_closed: bool) -> dict:
    rows = member_coupons(member, include_closed=include_closed)
    if include_closed:
        rows = sorted(rows, key=lambda c: c["issued_on"], reverse=True)[:HISTORY_ROWS]  # the newest first
    else:
        rows = rows[:USABLE_ROWS]  # the soonest expiring: a VIP in a 满额送券 campaign may hold hundreds
    used = {code: (sale_id, receipt) for code, sale_id, receipt in Coupon.objects.filter(
        member=member, used_sale__isnull=False, code__in=[normalise_code(c["code"]) for c in rows if c["status"] == "used"]
    ).values_list("code", "used_sale_id", "used_sale__receipt_no")}
    for row in rows:
        row["sale_id"], row["receipt_no"] = used.get(normalise_code(row["code"]), (None, ""))
    usable_count = usable_coupons(member).count()
    return {"rows": rows, "usable_count": usable_count, "all": include_closed, "more": not include_closed and usable_count > len(rows),
            "closed_count": Coupon.objects.filter(member=member).count() - usable_count}


def wallet_pane(member) -> dict:
    summary = wallet_summary(member, entries=WALLET_ROWS)
    ids = [e["id"] for e in summary["entries"]]
    linked = {pk: (sale_id, store) for pk, sale_id, store in
              WalletEntry.objects.filter(pk__in=ids).values_list("pk", "sale_id", "store__name")}
    for entry in summary["entries"]:
        entry["sale_id"], entry["store_name"] = linked.get(entry["id"], (None, None))
    return summary
