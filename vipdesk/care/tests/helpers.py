"""Crafted members and rules for the care tests, written through the real services where they exist."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from vipdesk.care.jobs import care_run_daily
from vipdesk.care.models import CareTask
from vipdesk.care.presets import PRESET_RULES
from vipdesk.care.services import care_rule_save
from vipdesk.testing.factories import make_member
from vipdesk.tiers.models import Level, MemberTier, Programme

SHANGHAI = ZoneInfo("Asia/Shanghai")


def D(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def rule(code: str, **over):
    return care_rule_save(actor=None, code=code, data={**PRESET_RULES[code], **over})


def member(guide, name, **data):
    return make_member(actor=guide, store=guide.stores.first(), name=name, **data)


def set_level(m, code: str):
    programme = Programme.objects.get(active=True)
    MemberTier.objects.update_or_create(member=m, defaults={"programme": programme, "level": Level.objects.get(programme=programme, code=code),
                                                            "reached_on": D("2025-01-01")})


def run(on):
    """Run the care part for `on`; the tasks it created as {(member name, rule code, kind, channel, due_on)}."""
    before = set(CareTask.objects.values_list("pk", flat=True))
    result = care_run_daily(on=on)
    made = CareTask.objects.exclude(pk__in=before).select_related("member", "rule")
    got = {(t.member.name, t.rule.code, t.kind, t.channel, t.due_on.isoformat()) for t in made}
    assert result["created"] == len(got)
    return got


def names(tasks) -> set[str]:
    return {t[0] for t in tasks}
