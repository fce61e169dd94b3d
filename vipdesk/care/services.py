"""Writes of care: the task life cycle, the contact log, events that create tasks at once (a sale, a
check-out), care rules and VIP events. Console, API, jobs and the sales intake call these."""
from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, require
from vipdesk.audit.services import event_record
from vipdesk.core import confcache
from vipdesk.core.errors import Conflict, NotFound, ValidationFailed
from vipdesk.members.models import Member
from vipdesk.members.services import member_for_actor
from vipdesk.tiers.models import Level

from .choices import (
    CHANNELS_OF_KIND, CONTACT_OF_TASK, OUTCOMES_OF_KIND, PENDING, TRANSITIONS, ContactKind, Outcome, RuleKind, TaskKind,
    TaskStatus,
)
from .generation import Crews, calls_to_merge, generate_for_member, merge_member_calls, render
from .models import CareRule, CareTask, ContactLog
from .rules import check_channel, check_script, clean_parameters, targeted
from .selectors import tasks_for
from .signals import care_task_created
from .presets import PRESET_RULES


def _staff(actor):
    return actor if hasattr(actor, "username") and getattr(actor, "is_authenticated", False) else None


def task_for_actor(actor, pk, *, action: str = Action.CARE_WORK, lock: bool = False) -> CareTask:
    """One task within the actor's scope; outside it the task does not exist (404)."""
    qs = tasks_for(actor, action)
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=pk)
    except (CareTask.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such task."))


def _move(task: CareTask, to: str) -> None:
    if to not in TRANSITIONS.get(task.status, ()):
        raise Conflict(_("A task that is %(status)s cannot become %(to)s.")
                       % {"status": TaskStatus(task.status).label, "to": TaskStatus(to).label}, code="illegal_transition")
    task.status = to


def _contact_write(*, member, staff, store, kind, channel, outcome, note, at=None, task=None) -> ContactLog:
    return ContactLog.objects.create(member=member, staff=staff, store=store, kind=kind, channel=channel, outcome=outcome,
                                     note=note or "", at=at or timezone.now(), task=task)


@transaction.atomic
def care_task_complete(*, actor, task: CareTask | int, outcome: str, note: str = "") -> CareTask:
    """Done, with an outcome that fits the task (a call is reached / no answer …); writes the contact log.
    `actor=None` is the system (the messaging outbox reporting a message sent)."""
    pk = task.pk if isinstance(task, CareTask) else task
    if actor is None:
        task = CareTask.objects.select_for_update().get(pk=pk)
    else:
        require(actor, Action.CARE_WORK)
        task = task_for_actor(actor, pk, lock=True)
    if outcome not in OUTCOMES_OF_KIND[task.kind]:
        raise ValidationFailed(_("Choose an outcome that fits this task."),
                               fields={"outcome": _("One of: %(options)s.") % {
                                   "options": "、".join(str(Outcome(o).label) for o in OUTCOMES_OF_KIND[task.kind])}})
    _move(task, TaskStatus.DONE)
    now = timezone.now()
    task.outcome, task.note, task.completed_at, task.completed_by = outcome, (note or "")[:500], now, _staff(actor)
    task.save(update_fields=["status", "outcome", "note", "completed_at", "completed_by", "updated_at"])
    _contact_write(member=task.member, staff=_staff(actor), store=task.store, kind=CONTACT_OF_TASK[task.kind],
                   channel=task.channel, outcome=outcome, note=note, at=now, task=task)
    return task


@transaction.atomic
def care_task_skip(*, actor, task: CareTask | int, note: str) -> CareTask:
    """Not done on purpose (the member asked not to be called, is abroad …): a reason is required."""
    require(actor, Action.CARE_WORK, system=False)
    if not (note or "").strip():
        raise ValidationFailed(_("Say why the task is skipped."), fields={"note": _("Required.")})
    task = task_for_actor(actor, getattr(task, "pk", task), lock=True)
    _move(task, TaskStatus.SKIPPED)
    task.note, task.completed_at, task.completed_by = note.strip()[:500], timezone.now(), _staff(actor)
    task.save(update_fields=["status", "note", "completed_at", "completed_by", "updated_at"])
    return task


def care_forget_member(*, member) -> int:
    """A member who withdrew (退会) is not contacted any more, and the scripts that named her are blanked."""
    now = timezone.now()
    cancelled = CareTask.objects.filter(member=member, status__in=PENDING).update(status=TaskStatus.CANCELLED, updated_at=now)
    CareTask.objects.filter(member=member).update(script="", context={}, updated_at=now)
    return cancelled


@transaction.atomic
def contact_log(*, actor, member: Member, kind: str, channel: str, outcome: str, note: str = "", at: dt.datetime | None = None) -> ContactLog:
    """A contact made outside any task (the member rang, a guide met her in the street)."""
    require(actor, Action.CARE_WORK, system=False)

    member = member_for_actor(actor, member.pk)
    if kind not in ContactKind.values:
        raise ValidationFailed(_("Unknown contact kind."), fields={"kind": _("Unknown contact kind.")})
    task_kind = {ContactKind.CALL: TaskKind.CALL, ContactKind.VISIT: TaskKind.VISIT, ContactKind.MESSAGE: TaskKind.MESSAGE,
                 ContactKind.GIFT: TaskKind.GIFT_PREP}[kind]
    if channel not in CHANNELS_OF_KIND[task_kind]:
        raise ValidationFailed(_("This channel does not fit the task."), fields={"channel": _("Not for this task.")})
    if outcome not in OUTCOMES_OF_KIND[task_kind]:
        raise ValidationFailed(_("Choose an outcome that fits this task."), fields={"outcome": _("Not for this kind of contact.")})
    if at is not None and at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationFailed(_("A contact cannot be in the future."), fields={"at": _("In the future.")})
    return _contact_write(member=member, staff=_staff(actor), store=member.home_store, kind=kind, channel=channel,
                          outcome=outcome, note=note, at=at)


@transaction.atomic
def care_task_create(*, actor, member: Member, kind: str, channel: str, due_on: dt.date, script: str = "", owner=None) -> CareTask:
    """A task by hand (a manager asks a guide to visit a member)."""
    require(actor, Action.CARE_MANAGE, system=False)

    member = member_for_actor(actor, member.pk)
    check_channel(kind, channel)
    owner = owner or member.owner
    due_at = timezone.make_aware(dt.datetime.combine(due_on, dt.time(18, 0)))
    task = CareTask.objects.create(member=member, store=member.home_store, owner=owner, kind=kind, channel=channel, due_on=due_on,
                                   due_at=due_at, script=script, source_key=f"manual:{member.pk}:{timezone.now().timestamp()}")
    care_task_created.send(sender=CareTask, task=task)  # webhooks: care_task.created
    event_record(actor=actor, verb="care.task_created", obj=task, payload={"kind": kind})
    return task


# ---- events ---------------------------------------------------------------------------------------

def _after_sale_rules() -> list[CareRule]:
    return [r for r in CareRule.objects.filter(active=True, kind__in=[RuleKind.AFTER_PURCHASE, RuleKind.TIER_CHANGED])
            if r.kind == RuleKind.TIER_CHANGED or not (r.parameters.get("after_days") or r.parameters.get("after_months"))]


def care_after_sale(*, sale, on: dt.date | None = None) -> dict[str, int]:
    """The same-day call of the 1311 follow-up and the tier-change task, for the sale's member only.
    Called by the sales intake inside the posting, and by `sale_attach_member` when the member is
    credited with the sale afterwards: the tasks are those of the sale's business date, under the
    keys the daily job derives, so neither the job nor a second call makes them twice. Attached on
    a later day `on`, they are due that day (a call cannot be made in the past)."""
    if sale.member_id is None:
        return {}
    rules = confcache.cached("care", "after_sale", _after_sale_rules)  # kept per process until a rule is written
    if not rules:
        return {}
    member = sale.member
    late = on if on is not None and on > sale.business_date else None
    made = generate_for_member(on=sale.business_date, rules=rules, member_id=member.pk, due_on=late,
                               crews=Crews.of_member(member.home_store_id, member.owner_id))
    days = calls_to_merge(on=late or sale.business_date, member_id=member.pk)  # one small query when there is nothing to merge
    if days:
        merge_member_calls(member_id=member.pk, days=days)
    return made


@transaction.atomic
def care_member_left(*, actor, member: Member, left_at: dt.datetime | None = None) -> list[CareTask]:
    """A VIP leaves (a bar's check-out): a message `minutes` later (seed 001: 离场半小时后短信问候)."""
    if actor is not None:
        from vipdesk.members.services import member_for_actor

        member = member_for_actor(actor, member.pk)
    left_at = left_at or timezone.now()
    on = timezone.localtime(left_at).date()
    made = []
    crews = None
    for rule in CareRule.objects.filter(active=True, kind=RuleKind.AFTER_VISIT).order_by("pk"):
        if not targeted(rule, Member.objects.filter(pk=member.pk)).exists():
            continue
        crews = crews or Crews(store_ids=[member.home_store_id], staff_ids=[member.owner_id])
        due_at = left_at + dt.timedelta(minutes=rule.parameters.get("minutes", 30))
        key = f"{rule.code}:{member.pk}:{timezone.localtime(left_at):%Y%m%dT%H%M}"
        task = CareTask.objects.filter(source_key=key).first()
        if task is None:
            owner_id = crews.owner(member.owner_id, member.home_store_id, member.pk)
            values = {"name": member.name, "store": member.home_store.name, "staff": crews.names.get(owner_id, ""),
                      "level": getattr(getattr(getattr(member, "tier", None), "level", None), "name", "") or ""}
            task = CareTask.objects.create(member=member, store=member.home_store, owner_id=owner_id, rule=rule,
                                           kind=rule.task_kind, channel=rule.channel, due_on=on, due_at=due_at,
                                           script=render(rule.script_zh or rule.script_en, values), source_key=key)
            care_task_created.send(sender=CareTask, task=task)
        made.append(task)
    if made:
        from .outbox import care_messages_to_outbox

        care_messages_to_outbox(tasks=CareTask.objects.filter(pk__in=[t.pk for t in made], kind="message", status="open"))
    return made


# ---- rules and events -----------------------------------------------------------------------------

RULE_FIELDS = ("name", "kind", "active", "parameters", "task_kind", "channel", "lead_days", "due_time", "levels",
               "exclude_levels", "audience", "store", "script_zh", "script_en")


def _clean_rule(data: dict, instance: CareRule | None = None) -> dict:
    merged = {f: getattr(instance, f) for f in RULE_FIELDS} if instance else {}
    merged.update({k: v for k, v in data.items() if k in RULE_FIELDS})
    kind = merged.get("kind")
    if kind not in RuleKind.values:
        raise ValidationFailed(_("Unknown rule kind."), fields={"kind": _("Unknown rule kind.")})
    if not str(merged.get("name") or "").strip():
        raise ValidationFailed(_("Name the rule."), fields={"name": _("Required.")})
    merged["parameters"] = clean_parameters(kind, merged.get("parameters"))
    check_channel(merged.get("task_kind"), merged.get("channel"))
    for field in ("script_zh", "script_en"):
        check_script(kind, merged.get(field) or "", field=field)
    if not (merged.get("script_zh") or merged.get("script_en")):
        raise ValidationFailed(_("Write the script."), fields={"script_zh": _("Required.")})
    for field in ("levels", "exclude_levels"):
        value = merged.get(field) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationFailed(_("Levels are a list of level codes."), fields={field: _("A list of level codes.")})
        merged[field] = value
    _check_level_codes(merged)
    return merged


def _check_level_codes(merged: dict) -> None:
    """Level codes a rule names must exist (a typo would silently target nobody)."""
    named = {field: merged[field] for field in ("levels", "exclude_levels") if merged[field]}
    if not named:
        return

    known = set(Level.objects.values_list("code", flat=True))
    for field, codes in named.items():
        unknown = [c for c in codes if c not in known]
        if unknown:
            message = _("Unknown level codes: %(codes)s.") % {"codes": ", ".join(unknown)}
            raise ValidationFailed(message, fields={field: message})


def _rule_write(*, actor, rule: CareRule, data: dict, verb: str) -> CareRule:
    """Check `data` over the rule's current values, then save and (for a person) audit the change."""
    before = {f: getattr(rule, f) for f in RULE_FIELDS} if rule.pk else {}
    cleaned = _clean_rule(data, rule if rule.pk else None)
    for key, value in cleaned.items():
        setattr(rule, key, value)
    try:
        rule.full_clean(exclude=["store"])
    except DjangoValidationError as exc:
        raise ValidationFailed.from_django(exc) from None
    rule.save()
    if actor is not None:
        changed = sorted(f for f in RULE_FIELDS if before.get(f) != getattr(rule, f)) if before else sorted(cleaned)
        event_record(actor=actor, verb=verb, obj=rule, payload={"code": rule.code, "changed": changed})
    return rule


@transaction.atomic
def care_rule_save(*, actor, code: str, data: dict) -> CareRule:
    """Create or change a rule by its code (the installers, init and the demo: `actor=None`)."""
    require(actor, Action.CARE_CONFIG)
    rule = CareRule.objects.select_for_update().filter(code=code).first() or CareRule(code=code)
    return _rule_write(actor=actor, rule=rule, data=data, verb="care.rule_saved")


@transaction.atomic
def care_rule_create(*, actor, code: str, data: dict) -> CareRule:
    """A new rule (HQ): its code is new and stays (task keys start with it)."""
    require(actor, Action.CARE_CONFIG, system=False)
    code = (code or "").strip()
    if not re.fullmatch(r"[-a-z0-9_]{1,40}", code):
        raise ValidationFailed(_("Give the rule a code of lower-case letters, digits and hyphens (at most 40)."),
                               fields={"code": _("E.g. birthday-vip.")})
    if CareRule.objects.filter(code=code).exists():
        raise ValidationFailed(_("A rule with the code %(code)s exists already.") % {"code": code},
                               fields={"code": _("Taken: choose another code.")})
    try:
        with transaction.atomic():
            return _rule_write(actor=actor, rule=CareRule(code=code), data=data, verb="care.rule_created")
    except IntegrityError:  # a twin created the same code meanwhile
        raise ValidationFailed(_("A rule with the code %(code)s exists already.") % {"code": code},
                               fields={"code": _("Taken: choose another code.")}) from None


@transaction.atomic
def care_rule_update(*, actor, rule: CareRule | int, data: dict) -> CareRule:
    """Change a rule (HQ): anything but its code and kind (a different kind is a different rule;
    tasks already made keep pointing at this one)."""
    require(actor, Action.CARE_CONFIG, system=False)
    try:
        rule = CareRule.objects.select_for_update().get(pk=getattr(rule, "pk", rule))
    except (CareRule.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such care rule.")) from None
    if "kind" in data and data["kind"] != rule.kind:
        raise ValidationFailed(_("A rule's kind cannot change: create a new rule instead."),
                               fields={"kind": _("Cannot change.")})
    if data == {"active": False}:  # switching off is always allowed, even when a word blocked since refuses its script
        if rule.active:
            rule.active = False
            rule.save(update_fields=["active", "updated_at"])
            event_record(actor=actor, verb="care.rule_saved", obj=rule, payload={"code": rule.code, "changed": ["active"]})
        return rule
    return _rule_write(actor=actor, rule=rule, data=data, verb="care.rule_saved")


def care_rules_install_default() -> list[CareRule]:
    """The seeds' rules (presets.py), installed once; rules already there are left as they are."""
    out = []
    for code, data in PRESET_RULES.items():
        rule = CareRule.objects.filter(code=code).first()
        out.append(rule or care_rule_save(actor=None, code=code, data=data))
    return out

