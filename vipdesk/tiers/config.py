"""Configuring the tier programme: installing one from a spec (a preset), validating it, and HQ's
changes to a level's rules and to the programme's retention policy.
"""
from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, require
from vipdesk.audit.services import event_record
from vipdesk.core import parsing
from vipdesk.core.errors import NotFound

from . import engine
from .choices import AMOUNTED, WINDOWED, Combine, ConditionKind as K, RetentionPolicy, ReturnPolicy
from .models import Benefit, Condition, Level, Programme, RuleGroup
from .programme import _touch, load
from .validation import programme_check


def _spec_rules(spec: dict) -> list[engine.LevelRule]:
    return [engine.LevelRule(
        code=lv["code"], rank=i, name=lv["name"], mode=lv.get("mode", "any"), retention_exempt=lv.get("retention_exempt", False),
        groups=tuple(engine.Group(mode=g.get("mode", "all"), conditions=tuple(
            engine.Cond(c["kind"], None if c.get("amount") is None else Decimal(str(c["amount"])), c.get("months"), c.get("count"))
            for c in g["conditions"])) for g in lv.get("groups", [])))
        for i, lv in enumerate(spec["levels"], start=1)]


def programme_validate(*, programme: Programme) -> None:
    """Raise ValidationFailed (Chinese messages) unless the saved programme's rules are sound."""
    loaded = load(programme)
    programme_check(loaded.rules, retention_policy=programme.retention_policy, grace_months=programme.grace_months)


def programme_install(*, spec: dict, activate: bool = True) -> Programme:
    """Create a programme with its levels, rules and benefits from a spec (a preset), validated first."""
    programme_check(_spec_rules(spec), retention_policy=spec.get("retention_policy", RetentionPolicy.ANNIVERSARY),
                    grace_months=spec.get("grace_months", 0))
    with transaction.atomic():
        if activate:
            Programme.objects.filter(active=True).update(active=False)
        programme = Programme.objects.create(
            code=spec["code"], name=spec["name"], active=activate, preset=spec.get("preset", ""), notes=spec.get("notes", ""),
            retention_policy=spec.get("retention_policy", RetentionPolicy.ANNIVERSARY), grace_months=spec.get("grace_months", 0),
            one_level_per_evaluation=spec.get("one_level_per_evaluation", False),
            return_policy=spec.get("return_policy", ReturnPolicy.REVOKE))
        for rank, lv in enumerate(spec["levels"], start=1):
            level = Level.objects.create(programme=programme, rank=rank, code=lv["code"], name=lv["name"],
                                         is_vip=lv.get("is_vip", False), mode=lv.get("mode", "any"),
                                         retention_exempt=lv.get("retention_exempt", False))
            for pos, g in enumerate(lv.get("groups", []), start=1):
                group = RuleGroup.objects.create(level=level, position=pos, mode=g.get("mode", "all"))
                Condition.objects.bulk_create([Condition(group=group, kind=c["kind"], amount=c.get("amount"), months=c.get("months"),
                                                         count=c.get("count")) for c in g["conditions"]])
            Benefit.objects.bulk_create([Benefit(level=level, code=b["code"], name=b["name"], value=b.get("value"), unit=b.get("unit", ""),
                                                 quota=b.get("quota"), period=b.get("period", "")) for b in lv.get("benefits", [])])
    return programme


# ---- HQ configuration: a level's rules, the programme's retention policy ---------------------------
#
# Raw input (a console form, JSON) is read by core.parsing, then the whole programme with the change
# applied goes through validation.programme_check — the same check programme_install makes — so a
# rule that would be refused at installation is refused here too, and nothing is written.

def _require_config(actor) -> None:
    require(actor, Action.LOYALTY_CONFIG, _("Only HQ may change the tier programme."), system=False)


def _parse_groups(raw, problems: parsing.Problems) -> list[dict]:
    """[{"mode", "conditions": [{"kind", "amount", "months", "count"}]}] from raw input. Rows left
    entirely blank are dropped, and so are groups left without a condition."""
    if raw is None:
        raw = []
    if not isinstance(raw, (list, tuple)):
        problems.add("groups", _("Must be a list."))
        return []
    groups = []
    for gi, group in enumerate(raw):
        where = f"groups.{gi}"
        if not isinstance(group, dict):
            problems.add(where, _("Must be an object."))
            continue
        mode = parsing.choice(group.get("mode") or Combine.ALL, f"{where}.mode", problems, Combine)
        rows = group.get("conditions") or []
        if not isinstance(rows, (list, tuple)):
            problems.add(f"{where}.conditions", _("Must be a list."))
            continue
        conditions = []
        for ci, row in enumerate(rows):
            at = f"{where}.conditions.{ci}"
            if not isinstance(row, dict):
                problems.add(at, _("Must be an object."))
                continue
            if all(parsing.blank(row.get(k)) for k in ("kind", "amount", "months", "count")):
                continue
            kind = parsing.choice(row.get("kind"), f"{at}.kind", problems, K)
            if not kind:
                continue
            amount = months = count = None
            if kind in AMOUNTED:
                amount = parsing.money(row.get("amount"), f"{at}.amount", problems)
            if kind in WINDOWED:
                months = parsing.whole(row.get("months"), f"{at}.months", problems, minimum=1, maximum=120)
            if kind == K.VISITS:
                count = parsing.whole(row.get("count"), f"{at}.count", problems, minimum=1, maximum=100_000)
            conditions.append({"kind": kind, "amount": amount, "months": months, "count": count})
        if conditions:
            groups.append({"mode": mode, "conditions": conditions})
    return groups


def _rule_of(*, code: str, rank: int, name: str, mode: str, retention_exempt: bool, groups: list[dict]) -> engine.LevelRule:
    return engine.LevelRule(code=code, rank=rank, name=name, mode=mode, retention_exempt=retention_exempt, groups=tuple(
        engine.Group(mode=g["mode"], conditions=tuple(engine.Cond(c["kind"], c["amount"], c["months"], c["count"])
                                                      for c in g["conditions"])) for g in groups))


def level_spec(level: Level) -> dict:
    """A level as plain data (amounts as strings): the shape level_update takes, and audit payloads."""
    return {"code": level.code, "name": level.name, "is_vip": level.is_vip, "mode": level.mode,
            "retention_exempt": level.retention_exempt,
            "groups": [{"mode": g.mode, "conditions": [
                {"kind": c.kind, "amount": None if c.amount is None else str(c.amount), "months": c.months, "count": c.count}
                for c in g.conditions.all()]} for g in level.groups.all()]}


def level_update(*, actor, level: Level, data: dict) -> Level:
    """Replace a level's name, VIP flag, retention exemption and qualification rules.

    `data`: {"name", "is_vip", "retention_exempt", "mode" (how groups combine), "groups": [{"mode",
    "conditions": [{"kind", "amount", "months", "count"}]}]}. The programme with the new rules must pass
    the same checks as at installation (thresholds rising with the level, positive windows…);
    otherwise ValidationFailed and nothing changes. Members' tiers follow the new rules at their next
    posting and at the retention evaluation."""
    _require_config(actor)
    problems = parsing.Problems()
    name = parsing.text(data.get("name"), "name", problems, limit=30, required=True)
    mode = parsing.choice(data.get("mode") or Combine.ANY, "mode", problems, Combine)
    is_vip, exempt = parsing.flag(data.get("is_vip")), parsing.flag(data.get("retention_exempt"))
    groups = _parse_groups(data.get("groups"), problems)
    problems.raise_if_any()
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=level.programme_id)  # one configuration change at a time
        loaded = load(programme)
        current = loaded.levels.get(level.code)
        if current is None or current.pk != level.pk:
            raise NotFound(_("No such level in the programme."))
        rule = _rule_of(code=level.code, rank=current.rank, name=name, mode=mode, retention_exempt=exempt, groups=groups)
        programme_check([rule if r.code == level.code else r for r in loaded.rules],
                        retention_policy=programme.retention_policy, grace_months=programme.grace_months)
        before = level_spec(current)
        current.name, current.mode, current.is_vip, current.retention_exempt = name, mode, is_vip, exempt
        current.save(update_fields=["name", "mode", "is_vip", "retention_exempt"])
        RuleGroup.objects.filter(level=current).delete()  # conditions go with their groups
        for position, g in enumerate(groups, start=1):
            group = RuleGroup.objects.create(level=current, position=position, mode=g["mode"])
            Condition.objects.bulk_create([Condition(group=group, kind=c["kind"], amount=c["amount"], months=c["months"],
                                                     count=c["count"]) for c in g["conditions"]])
        after = level_spec(Level.objects.prefetch_related("groups__conditions").get(pk=current.pk))
        _touch(programme)
        event_record(actor=actor, verb="tier.level_update", obj=current,
                     payload={"programme": programme.code, "level": current.code, "before": before, "after": after})
    return current


POLICY_FIELDS = ("name", "retention_policy", "grace_months", "one_level_per_evaluation", "return_policy", "notes")


def programme_policy_update(*, actor, programme: Programme, data: dict) -> Programme:
    """Change a programme's name, notes and retention/downgrade policy (保级), checked with its rules."""
    _require_config(actor)
    problems = parsing.Problems()
    clean = {
        "name": parsing.text(data.get("name"), "name", problems, limit=60, required=True),
        "retention_policy": parsing.choice(data.get("retention_policy"), "retention_policy", problems, RetentionPolicy),
        "grace_months": parsing.whole(data.get("grace_months") if data.get("grace_months") not in (None, "") else 0,
                                      "grace_months", problems, minimum=0, maximum=120),
        "one_level_per_evaluation": parsing.flag(data.get("one_level_per_evaluation")),
        "return_policy": parsing.choice(data.get("return_policy"), "return_policy", problems, ReturnPolicy),
        "notes": parsing.text(data.get("notes"), "notes", problems, limit=2000),
    }
    problems.raise_if_any()
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        programme_check(load(programme).rules, retention_policy=clean["retention_policy"], grace_months=clean["grace_months"])
        before = {k: getattr(programme, k) for k in POLICY_FIELDS}
        for key, value in clean.items():
            setattr(programme, key, value)
        programme.save(update_fields=[*POLICY_FIELDS, "updated_at"])
        event_record(actor=actor, verb="tier.programme_update", obj=programme,
                     payload={"programme": programme.code, "before": before, "after": clean})
    return programme
