"""Maturity reminders (定期/理财到期, seed 003 篇12: 产品到期提醒): a holding with a maturity date
makes a call task for the customer's manager `maturity_lead_days` before it matures, unless she
said 不联系 or refused service calls on the phone (care.rules.phone_reachable).

Set-based and idempotent: the holdings maturing within the lead time are read in one query, the
task keys (`maturity:<customer>:<product>:<date>`) already made are read in one query, the rest
are inserted in bulk. A holding seen in many daily files is one reminder; a reminder missed (the
file arrived late) is made on the next run, due that day.
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Max
from django.utils import timezone

from vipdesk.care.choices import Channel, TaskKind
from vipdesk.care.models import CareTask
from vipdesk.care.rules import phone_reachable
from vipdesk.care.signals import care_task_created
from vipdesk.core.money import format_money
from vipdesk.members.choices import ConsentPurpose, MemberStatus
from vipdesk.members.models import Member

from .models import Holding, Scheme


def _key(member_id: int, product: str, maturity: dt.date) -> str:
    return f"maturity:{member_id}:{product}:{maturity:%Y%m%d}"[:120]


def maturity_reminders(*, on: dt.date, scheme: Scheme | None = None) -> int:
    scheme = scheme or Scheme.objects.filter(active=True).first()
    if scheme is None:
        return 0
    until = on + dt.timedelta(days=scheme.maturity_lead_days)
    # a service call about her own holding: not to who said 不联系 or refused service calls (issue 15 §14)
    reachable = phone_reachable(Member.objects.filter(status=MemberStatus.ACTIVE), purpose=ConsentPurpose.SERVICE)
    rows = (Holding.objects.filter(maturity_on__gte=on, maturity_on__lte=until, balance__gt=0,
                                   member__in=reachable.values("pk"))
            .values("member_id", "product_code", "maturity_on")
            .annotate(latest=Max("on")))
    wanted = {_key(r["member_id"], r["product_code"], r["maturity_on"]): r for r in rows}
    if not wanted:
        return 0
    made = set(CareTask.objects.filter(source_key__in=list(wanted)).values_list("source_key", flat=True))
    todo = {k: r for k, r in wanted.items() if k not in made}
    if not todo:
        return 0
    latest = {(h.member_id, h.product_code, h.on): h for h in Holding.objects.filter(
        member_id__in={r["member_id"] for r in todo.values()}, on__in={r["latest"] for r in todo.values()},
        maturity_on__gte=on, maturity_on__lte=until).select_related("member__home_store")}
    tasks = []
    for key, r in todo.items():
        h = latest[(r["member_id"], r["product_code"], r["latest"])]
        member = h.member
        due_on = max(on, h.maturity_on - dt.timedelta(days=scheme.maturity_lead_days))
        due_at = timezone.make_aware(dt.datetime.combine(due_on, dt.time(10, 0)))
        script = (f"{member.name}的{h.product_name or h.product_code}(余额{format_money(h.balance)})将于"
                  f"{h.maturity_on:%Y年%m月%d日}到期,请联系客户商量续存或转购。")
        tasks.append(CareTask(member=member, store=member.home_store, owner_id=member.owner_id, kind=TaskKind.CALL,
                              channel=Channel.PHONE, due_on=due_on, due_at=due_at, script=script, source_key=key,
                              context={"maturity_on": h.maturity_on.isoformat(), "product": h.product_code,
                                       "balance": str(h.balance)},
                              reasons=[{"rule": "产品到期提醒", "kind": "maturity", "script": script}]))
    CareTask.objects.bulk_create(tasks, batch_size=2000, ignore_conflicts=True)
    for task in CareTask.objects.filter(source_key__in=list(todo)):
        care_task_created.send(sender=CareTask, task=task)  # webhooks: care_task.created
    return len(tasks)
