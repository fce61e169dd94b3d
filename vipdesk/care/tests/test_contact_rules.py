"""Issue 15 §14, from the story: one member got three phone tasks on one day although her preferred
contact is 不联系. Care respects the contact preference and the phone consent of the call's purpose,
and a member's calls of one day are one call with several reasons."""
import datetime as dt
import re

from vipdesk.care.models import CareTask
from vipdesk.care.services import care_task_complete
from vipdesk.core.errors import ValidationFailed
from vipdesk.members.models import Consent, Member
from vipdesk.points.models import PointsAccount
from vipdesk.points.tests.helpers import make_sale
from vipdesk.tiers.models import Level, TierHistory

import pytest

from .helpers import SHANGHAI, D, member, rule, run

ON = D("2026-09-25")


def _three_calls_for(m, dept, store):
    """The day of the story: a purchase a month ago (1311), a level change today, points near 10,000."""
    make_sale(member=m, store=store, on=D("2026-08-25"))
    levels = {lv.code: lv for lv in Level.objects.filter(programme=dept)}
    TierHistory.objects.create(member=m, programme=dept, from_level=levels["SILVER"], to_level=levels["GOLD"], reason="upgrade", on=ON)
    PointsAccount.objects.update_or_create(member=m, defaults={"balance": 9500})


def _rules():
    for code in ("1311-month-1", "tier-changed", "points-near"):
        rule(code)


def _phone(m, purpose, granted=True):
    Consent.objects.create(member=m, purpose=purpose, channel="phone", granted=granted, source="console")


def test_a_member_who_said_do_not_contact_gets_no_phone_task(dept, guide_a, store_a):
    _rules()
    quiet = member(guide_a, "周静", preferred_contact="none")
    _phone(quiet, "marketing")
    _three_calls_for(quiet, dept, store_a)
    assert run(ON) == set()
    assert not CareTask.objects.filter(member=quiet, kind="call").exists()


def test_calls_need_the_phone_consent_of_their_purpose(dept, guide_a, store_a):
    _rules()
    no_marketing = member(guide_a, "王芳")        # never asked about marketing calls: service calls only
    refused_service = member(guide_a, "李静")     # said no to service calls on the phone
    _phone(refused_service, "service", granted=False)
    _phone(refused_service, "marketing")
    for m in (no_marketing, refused_service):
        _three_calls_for(m, dept, store_a)
    run(ON)
    kinds = {m.name: sorted(r["kind"] for t in CareTask.objects.filter(member=m, kind="call", status="open")
                            for r in (t.reasons or [{"kind": t.rule.kind}])) for m in (no_marketing, refused_service)}
    assert kinds == {"王芳": ["after_purchase", "tier_changed"], "李静": ["points_near"]}


def test_a_members_calls_of_one_day_are_one_task_with_several_reasons(dept, guide_a, store_a):
    _rules()
    her = member(guide_a, "陈美玲")
    _phone(her, "marketing")
    _three_calls_for(her, dept, store_a)
    run(ON)
    open_calls = list(CareTask.objects.filter(member=her, kind="call", status="open"))
    assert len(open_calls) == 1
    task = open_calls[0]
    assert sorted(r["kind"] for r in task.reasons) == ["after_purchase", "points_near", "tier_changed"]
    assert task.script.startswith("1. ") and "\n2. " in task.script and "\n3. " in task.script
    merged = CareTask.objects.filter(member=her, kind="call", status="cancelled")
    assert merged.count() == 2 and all(f"#{task.pk}" in t.note for t in merged)
    run(ON)  # the day again: nothing new, still one call
    assert CareTask.objects.filter(member=her, kind="call", status="open").count() == 1


def test_the_call_result_is_chosen_by_the_guide(dept, guide_a, store_a, client, clock):
    from django.urls import reverse

    clock.move_to(dt.datetime(2026, 9, 25, 10, 30, tzinfo=SHANGHAI))
    _rules()
    her = member(guide_a, "陈美玲")
    _three_calls_for(her, dept, store_a)
    run(ON)
    task = CareTask.objects.get(member=her, kind="call", status="open")
    with pytest.raises(ValidationFailed):
        care_task_complete(actor=guide_a, task=task, outcome="")
    client.force_login(guide_a)
    page = client.get(reverse("console:care_today")).content.decode()
    select = page[page.index(f'id="outcome-{task.pk}"'):][:400]
    assert '<option value="" selected>— 请选择结果 —</option>' in select
    assert "selected" not in select.split("</option>", 1)[1]  # no outcome is chosen for the guide


def test_points_in_a_set_based_script_have_thousands_separators(dept, guide_a, store_a):
    """The script built in SQL says 9,500 分 like every other number in vipdesk, on either database."""
    rule("points-near")
    her = member(guide_a, "陈美玲")
    _phone(her, "marketing")
    PointsAccount.objects.update_or_create(member=her, defaults={"balance": 9500})
    run(ON)
    task = CareTask.objects.get(member=her, kind="call", status="open")
    assert "积分已有 9,500 分，再积 500 分即满 10,000 分" in task.script, task.script


def test_merging_the_calls_of_many_members_sends_their_set_once(dept, guide_a, store_a):
    """The sales import merges the calls of all of a day's buyers at once: each day's merge names its
    member, so the set of members is sent once (the groups query), not once per merged day — that
    made a 1,000,000-receipt import quadratic."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from vipdesk.care.generation import merge_calls

    people = [member(guide_a, f"会员{i}") for i in range(30)]
    due_at = timezone.make_aware(dt.datetime(2026, 9, 25, 10), SHANGHAI)
    for m in people:
        for k in range(2):
            CareTask.objects.create(member=m, store=store_a, kind="call", channel="phone", due_on=ON, due_at=due_at,
                                    script=f"第{k + 1}件事", source_key=f"merge-set-{m.pk}-{k}")
    bystander = member(guide_a, "旁人")
    for k in range(2):
        CareTask.objects.create(member=bystander, store=store_a, kind="call", channel="phone", due_on=ON, due_at=due_at,
                                source_key=f"merge-set-other-{k}")
    with CaptureQueriesContext(connection) as captured:
        merged = merge_calls(on=ON, members=Member.objects.filter(pk__in=[m.pk for m in people]))
    assert merged == 30
    assert CareTask.objects.filter(member__in=people, kind="call", status="open").count() == 30
    assert CareTask.objects.filter(member=bystander, kind="call", status="open").count() == 2  # not in the set: untouched
    lists = [len(found.split(",")) for q in captured.captured_queries for found in re.findall(r" IN \(([^()]*)\)", q["sql"])]
    assert sum(1 for n in lists if n >= len(people)) == 1, lists
