"""From the lower apps' signals (sent inside their transactions) to webhook events (outbox.record).

What an event carries is the payload schema of docs/api.md "Webhooks": ids, codes, amounts and dates
an integrator needs to act, never the person's name, mobile, e-mail, address, ID number or a care
script (PIPL: an integrator who needs more reads the member through the API, audited there).
"""
from __future__ import annotations

from django.db.models import Sum

from vipdesk.care.models import CareTask
from vipdesk.care.signals import care_task_created, care_tasks_inserted
from vipdesk.core.money import quantize
from vipdesk.coupons.signals import coupons_issued, coupons_used
from vipdesk.members.models import Member
from vipdesk.members.signals import member_enrolled, member_updated, member_withdrawn
from vipdesk.points.choices import EntryKind
from vipdesk.points.models import PointsEntry
from vipdesk.points.signals import points_expired, redemption_created
from vipdesk.sales.signals import sale_credited, sale_returned
from vipdesk.tiers.signals import tier_changed
from vipdesk.wallet.signals import wallet_entry_written

from .choices import EventType as T
from .outbox import record, wanted


def _listening(event_type: str) -> bool:
    return any(event_type in events for _pk, events in wanted())


def _code(obj) -> str | None:
    return getattr(obj, "code", None) if obj is not None else None


def member_ref(member) -> dict:
    return {"id": member.pk, "member_no": member.member_no}


def _member_refs(ids) -> dict[int, dict]:
    return {pk: {"id": pk, "member_no": no} for pk, no in Member.objects.filter(pk__in=set(ids)).values_list("pk", "member_no")}


def _member_data(member) -> dict:
    return {**member_ref(member), "status": member.status, "home_store": _code(member.home_store),
            "enrolled_at": member.enrolled_at}


def on_member_enrolled(sender, *, member, **kwargs):
    if _listening(T.MEMBER_CREATED):
        record(T.MEMBER_CREATED, member_id=member.pk, data={"member": _member_data(member)})


def on_member_updated(sender, *, member, fields, **kwargs):
    if _listening(T.MEMBER_UPDATED):
        record(T.MEMBER_UPDATED, member_id=member.pk, data={"member": _member_data(member), "changed_fields": list(fields)})


def on_member_withdrawn(sender, *, member, **kwargs):
    if _listening(T.MEMBER_WITHDRAWN):  # she is anonymised: the ids only, so the integrator erases her too
        record(T.MEMBER_WITHDRAWN, member_id=member.pk, data={"member": member_ref(member), "withdrawn_at": member.withdrawn_at})


def _sale_data(sale) -> dict:
    return {"id": sale.pk, "store": _code(sale.store), "receipt_no": sale.receipt_no, "occurred_at": sale.occurred_at,
            "business_date": sale.business_date, "amount": str(quantize(sale.amount)),
            "amount_paid": str(quantize(sale.amount_paid))}


def on_sale_credited(sender, *, sale, **kwargs):
    if _listening(T.SALE_POSTED) and sale.member_id:
        record(T.SALE_POSTED, member_id=sale.member_id, occurred_at=sale.occurred_at,
               data={"sale": _sale_data(sale), "member": member_ref(sale.member)})


def on_sale_returned(sender, *, sale_return, **kwargs):
    if not _listening(T.RETURN_POSTED):
        return
    original = sale_return.original
    data = {"return": {**_sale_data(sale_return), "original": {"id": original.pk, "store": _code(original.store),
                                                              "receipt_no": original.receipt_no}},
            "member": member_ref(sale_return.member) if sale_return.member_id else None}
    record(T.RETURN_POSTED, member_id=sale_return.member_id, occurred_at=sale_return.occurred_at, data=data)


def on_tier_changed(sender, *, rows, **kwargs):
    if not _listening(T.TIER_CHANGED):
        return
    refs = _member_refs(r.member_id for r in rows)
    for row in rows:
        record(T.TIER_CHANGED, member_id=row.member_id, data={
            "member": refs.get(row.member_id), "from_level": _code(row.from_level), "to_level": _code(row.to_level),
            "reason": row.reason, "business_date": row.on, "sale_id": row.sale_id})


def on_points_expired(sender, *, on, account_ids, **kwargs):
    if not _listening(T.POINTS_EXPIRED):
        return
    rows = (PointsEntry.objects.filter(account_id__in=account_ids, kind=EntryKind.EXPIRE, business_date=on)
            .values("account__member_id").annotate(points=Sum("points")).order_by("account__member_id"))
    refs = _member_refs(r["account__member_id"] for r in rows)
    for r in rows:
        member_id = r["account__member_id"]
        record(T.POINTS_EXPIRED, member_id=member_id, data={"member": refs.get(member_id), "points": -int(r["points"]),
                                                           "business_date": on})


def on_redemption_created(sender, *, redemption, **kwargs):
    if not _listening(T.REDEMPTION_CREATED):
        return
    member_id = redemption.account.member_id
    record(T.REDEMPTION_CREATED, member_id=member_id, data={
        "redemption": {"id": redemption.pk, "item": _code(redemption.item), "quantity": redemption.quantity,
                       "points": redemption.points, "value": str(quantize(redemption.value)), "store": _code(redemption.store),
                       "business_date": redemption.business_date},
        "member": _member_refs([member_id]).get(member_id)})


def _coupon_data(coupon) -> dict:
    # The code is a bearer credential: only its last four characters (the till checks the full code).
    return {"id": coupon.pk, "code_last4": coupon.code[-4:], "campaign": _code(coupon.campaign),
            "face_value": str(quantize(coupon.face_value)) if coupon.face_value is not None else None,
            "valid_from": coupon.valid_from, "valid_until": coupon.valid_until, "status": coupon.status}


def on_coupons_issued(sender, *, coupons, **kwargs):
    if not _listening(T.COUPON_ISSUED):
        return
    refs = _member_refs(c.member_id for c in coupons if c.member_id)
    for coupon in coupons:
        record(T.COUPON_ISSUED, member_id=coupon.member_id,
               data={"coupon": _coupon_data(coupon), "member": refs.get(coupon.member_id)})


def on_coupons_used(sender, *, coupons, sale, **kwargs):
    if not _listening(T.COUPON_USED):
        return
    refs = _member_refs(c.member_id for c in coupons if c.member_id)
    for coupon in coupons:
        record(T.COUPON_USED, member_id=coupon.member_id or sale.member_id, data={
            "coupon": {**_coupon_data(coupon), "used_amount": str(quantize(coupon.used_amount or 0))},
            "sale": {"id": sale.pk, "store": _code(sale.store), "receipt_no": sale.receipt_no},
            "member": refs.get(coupon.member_id)})


def on_wallet_entry_written(sender, *, entry, account, **kwargs):
    if not _listening(T.STORED_VALUE_CHANGED):
        return
    record(T.STORED_VALUE_CHANGED, member_id=account.member_id, data={
        "member": _member_refs([account.member_id]).get(account.member_id),
        "entry": {"id": entry.pk, "kind": entry.kind, "principal": str(quantize(entry.principal)),
                  "bonus": str(quantize(entry.bonus)), "business_date": entry.business_date, "sale_id": getattr(entry, "sale_id", None)},
        "balance": {"principal": str(quantize(account.principal)), "bonus": str(quantize(account.bonus)),
                    "total": str(quantize(account.principal + account.bonus))}})


def _task_event(task, refs) -> None:
    record(T.CARE_TASK_CREATED, member_id=task.member_id, data={
        "task": {"id": task.pk, "kind": task.kind, "channel": task.channel, "due_on": task.due_on,
                 "store": _code(task.store), "rule": _code(task.rule) if task.rule_id else None},
        "member": refs.get(task.member_id)})


def on_care_task_created(sender, *, task, **kwargs):
    if _listening(T.CARE_TASK_CREATED):
        _task_event(task, _member_refs([task.member_id]))


def on_care_tasks_inserted(sender, *, rule, created_at, ids=None, **kwargs):
    if not _listening(T.CARE_TASK_CREATED):
        return
    if ids is not None:  # a run over many dates: these tasks, in this order
        found = CareTask.objects.filter(pk__in=ids).select_related("store", "rule").in_bulk()
        tasks = [found[pk] for pk in ids if pk in found]
    else:
        tasks = list(CareTask.objects.filter(rule=rule, created_at=created_at).select_related("store", "rule").order_by("pk"))
    refs = _member_refs(t.member_id for t in tasks)
    for task in tasks:
        _task_event(task, refs)


CONNECTIONS = (
    (member_enrolled, on_member_enrolled), (member_updated, on_member_updated), (member_withdrawn, on_member_withdrawn),
    (sale_credited, on_sale_credited), (sale_returned, on_sale_returned), (tier_changed, on_tier_changed),
    (points_expired, on_points_expired), (redemption_created, on_redemption_created),
    (coupons_issued, on_coupons_issued), (coupons_used, on_coupons_used),
    (wallet_entry_written, on_wallet_entry_written),
    (care_task_created, on_care_task_created), (care_tasks_inserted, on_care_tasks_inserted),
)


def connect() -> None:
    for signal, receiver in CONNECTIONS:
        signal.connect(receiver, dispatch_uid=f"webhooks.{receiver.__name__}")
