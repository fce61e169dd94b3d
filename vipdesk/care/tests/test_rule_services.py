"""Care rules written by HQ through care_rule_create / care_rule_update: every refusal names its
field (the console puts it next to the input) and changes nothing."""
import datetime as dt

import pytest

from vipdesk.audit.models import Event
from vipdesk.care.models import CareRule
from vipdesk.care.presets import PRESET_RULES
from vipdesk.care.services import care_rule_create, care_rule_update
from vipdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from vipdesk.messaging.models import BlockedWord

from .helpers import rule


def data(code="missing-you", **over):
    return {**PRESET_RULES[code], **over}


def test_hq_creates_a_rule_and_the_change_is_audited(hq):
    made = care_rule_create(actor=hq, code="missing-you-60", data=data(name="六十天未到店", parameters={"days": 60}))
    assert (made.kind, made.parameters, made.active) == ("missing_you", {"days": 60}, True)
    event = Event.objects.get(verb="care.rule_created")
    assert event.object_id == str(made.pk) and event.payload["code"] == "missing-you-60"


def test_a_code_is_new_and_well_formed(hq):
    rule("missing-you")
    with pytest.raises(ValidationFailed) as exc:
        care_rule_create(actor=hq, code="missing-you", data=data())
    assert "code" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        care_rule_create(actor=hq, code="想念您", data=data())
    assert "code" in exc.value.fields
    assert CareRule.objects.count() == 1


def test_hq_changes_parameters_script_due_time_and_channel(hq):
    greeting = rule("birthday-greeting")
    changed = care_rule_update(actor=hq, rule=greeting.pk, data={
        "parameters": {"calendar": "solar"}, "due_time": dt.time(10, 30), "channel": "email",
        "script_en": "Happy birthday, {name}!"})
    assert (changed.parameters, changed.due_time, changed.channel) == ({"calendar": "solar"}, dt.time(10, 30), "email")
    event = Event.objects.get(verb="care.rule_saved")
    assert event.payload["changed"] == ["channel", "due_time", "parameters", "script_en"]


@pytest.mark.parametrize("change, field", [
    ({"parameters": {"days": 0}}, "parameters.days"),
    ({"parameters": {"days": "90"}}, "parameters.days"),
    ({"parameters": {"weeks": 3}}, "parameters"),
    ({"channel": "phone"}, "channel"),
    ({"script_zh": "{name}，好久不见，新品上市欢迎选购。"}, "script_zh"),
    ({"script_en": "{name}, our summer sale is on!"}, "script_en"),
    ({"script_zh": "{name}，{phone}"}, "script_zh"),
    ({"script_zh": "{name，好久不见"}, "script_zh"),
    ({"script_zh": "", "script_en": ""}, "script_zh"),
    ({"name": " "}, "name"),
    ({"levels": ["NOPE"]}, "levels"),
    ({"kind": "birthday"}, "kind"),
])
def test_bad_input_is_refused_by_field_and_changes_nothing(hq, change, field):
    missing = rule("missing-you")
    before = CareRule.objects.values().get(pk=missing.pk)
    with pytest.raises(ValidationFailed) as exc:
        care_rule_update(actor=hq, rule=missing, data=change)
    assert field in exc.value.fields, exc.value.fields
    assert CareRule.objects.values().get(pk=missing.pk) == before
    assert not Event.objects.filter(verb__startswith="care.rule").exists()


def test_a_word_hq_blocks_for_messages_also_blocks_a_greeting_rule(hq):
    """One list of advertising words: a greeting rule the outbox would stop is refused when saved."""
    greeting = rule("weekly-greeting")
    BlockedWord.objects.create(word="会员日")
    with pytest.raises(ValidationFailed) as exc:
        care_rule_update(actor=hq, rule=greeting, data={"script_zh": "{name}，本周六是会员日，周末愉快！"})
    assert "会员日" in exc.value.message
    # a notice (not a greeting) may name it
    care_rule_update(actor=hq, rule=rule("event-notice-sms"), data={"script_zh": "{name}，诚邀您参加{event_date}会员日活动。"})


def test_only_hq_configures_rules(hq, manager_a, guide_a):
    missing = rule("missing-you")
    for who in (manager_a, guide_a):
        with pytest.raises(PermissionDenied):
            care_rule_update(actor=who, rule=missing, data={"active": False})
        with pytest.raises(PermissionDenied):
            care_rule_create(actor=who, code="x", data=data())
    with pytest.raises(NotFound):
        care_rule_update(actor=hq, rule=999, data={})


def test_a_rule_can_always_be_switched_off(hq):
    greeting = rule("weekly-greeting")
    BlockedWord.objects.create(word="周末")  # its script now says a blocked word
    off = care_rule_update(actor=hq, rule=greeting, data={"active": False})
    assert off.active is False and CareRule.objects.get(pk=greeting.pk).active is False
    with pytest.raises(ValidationFailed):
        care_rule_update(actor=hq, rule=greeting, data={"active": True})  # on again: the script must be mended first


def test_every_preset_passes_the_rules(db):
    from vipdesk.care.services import care_rules_install_default

    assert len(care_rules_install_default()) == len(PRESET_RULES)
