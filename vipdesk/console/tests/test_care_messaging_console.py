"""The HQ care-rule and message-template pages and the outbox (issue 6): lists, forms with good and
bad input (a refused form changes nothing and says why in Chinese next to the field), role scoping."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from vipdesk.care.models import CareRule, CareTask
from vipdesk.care.services import care_rules_install_default
from vipdesk.console.care.forms import CareRuleForm
from vipdesk.console.messaging.forms import MessageTemplateForm
from vipdesk.core import clock
from vipdesk.messaging.models import MessageTemplate, OutboxMessage
from vipdesk.messaging.message_templates import template_save
from vipdesk.messaging.services import enqueue
from vipdesk.testing.factories import StaffFactory

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def posted(initial: dict, **over) -> dict:
    """A form's initial values as a browser would post them (unchecked boxes left out)."""
    out = {}
    for key, value in {**initial, **over}.items():
        if value is True:
            out[key] = "on"
        elif value is False or value is None:
            continue
        elif isinstance(value, dt.time):
            out[key] = value.strftime("%H:%M")
        else:
            out[key] = value
    return out


@pytest.fixture
def rules(db):
    return {r.code: r for r in care_rules_install_default()}


def rule_data(rule, **over):
    return posted(CareRuleForm.initial_for(rule), **over)


# ---- care rules ----------------------------------------------------------------------------------

def test_hq_sees_every_rule_with_its_tasks_of_the_last_30_days(login, hq, guide_a, store_a, rules):
    from vipdesk.care.tests.helpers import member, run
    from vipdesk.points.tests.helpers import make_sale

    m = member(guide_a, "王芳")
    make_sale(member=m, store=store_a, on=clock.today())
    run(clock.today())
    assert CareTask.objects.filter(rule=rules["1311-same-day"]).count() == 1
    page = login(hq).get(reverse("console:care_rules"), **ZH).content.decode()
    assert page.count('<tr id="rule-') == len(rules)
    row = page[page.index('id="rule-1311-same-day"'):]
    row = row[:row.index("</tr>")]
    assert "1311 当天回访" in row and '<strong>1</strong>' in row and "电话" in row
    missing = page[page.index('id="rule-missing-you"'):]
    assert "未消费天数" in missing[:missing.index("</tr>")] and "90" in missing[:missing.index("</tr>")]


def test_hq_changes_a_parameter_the_due_time_and_the_script(login, hq, rules):
    missing = rules["missing-you"]
    client = login(hq)
    response = client.post(reverse("console:care_rule", args=[missing.pk]),
                           rule_data(missing, p_days="60", due_time="11:30", script_en="{name}, we miss you. {staff}"), **ZH)
    assert response.status_code == 302 and response.url.endswith("#rule-missing-you")
    missing.refresh_from_db()
    assert (missing.parameters, missing.due_time, missing.script_en) == ({"days": 60}, dt.time(11, 30), "{name}, we miss you. {staff}")
    page = client.get(reverse("console:care_rules"), **ZH).content.decode()
    assert "60" in page and "已保存" in page


def test_each_kind_edits_its_own_parameters(login, hq, rules):
    client = login(hq)
    holiday = rules["holiday-gift"]
    form = client.get(reverse("console:care_rule", args=[holiday.pk]), **ZH).content.decode()
    assert 'name="p_holidays"' in form and "中秋节" in form and 'name="p_days"' not in form
    client.post(reverse("console:care_rule", args=[holiday.pk]), rule_data(holiday, p_holidays=["spring_festival", "qixi"]))
    assert CareRule.objects.get(pk=holiday.pk).parameters == {"holidays": ["spring_festival", "qixi"]}
    season = rules["season-change"]
    client.post(reverse("console:care_rule", args=[season.pk]), rule_data(season, p_dates="02-04 立春\n11-07：立冬"))
    assert CareRule.objects.get(pk=season.pk).parameters == {"dates": {"02-04": "立春", "11-07": "立冬"}}
    weekly = rules["weekly-greeting"]
    client.post(reverse("console:care_rule", args=[weekly.pk]), rule_data(weekly, p_weekday="0", p_split="even"))
    assert CareRule.objects.get(pk=weekly.pk).parameters == {"weekday": 0, "split": "even"}


@pytest.mark.parametrize("change, field, words", [
    ({"p_days": "0"}, "p_days", "1"),
    ({"p_days": "六十"}, "p_days", "整数"),
    ({"p_days": ""}, "p_days", "必填"),
    ({"script_zh": "{name}，好久不见！新品上市，欢迎选购。"}, "script_zh", "问候"),
    ({"script_en": "{name}, our summer sale is on!"}, "script_en", "问候"),
    ({"script_zh": "{name}，{phone}"}, "script_zh", "{phone}"),
    ({"channel": "phone"}, "channel", "不适用"),
    ({"levels": "NOPE"}, "levels", "NOPE"),
    ({"due_time": "25:00"}, "due_time", "时间"),
])
def test_bad_input_is_refused_next_to_the_field_in_chinese_and_nothing_changes(login, hq, rules, change, field, words):
    missing = rules["missing-you"]
    before = CareRule.objects.values().get(pk=missing.pk)
    response = login(hq).post(reverse("console:care_rule", args=[missing.pk]), rule_data(missing, **change), **ZH)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert words in " ".join(form.errors[field])
    assert f'id="error-{field}"' in response.content.decode()
    assert CareRule.objects.values().get(pk=missing.pk) == before


def test_a_greeting_rule_is_refused_for_a_word_hq_blocked_for_messages(login, hq, rules):
    from vipdesk.messaging.models import BlockedWord

    BlockedWord.objects.create(word="会员日")
    greeting = rules["weekly-greeting"]
    response = login(hq).post(reverse("console:care_rule", args=[greeting.pk]),
                              rule_data(greeting, script_zh="{name}，本周六会员日，周末愉快！"), **ZH)
    assert "会员日" in response.content.decode() and "script_zh" in response.context["form"].errors


def test_hq_creates_a_rule_and_a_taken_code_is_refused(login, hq, rules):
    client = login(hq)
    form = client.get(reverse("console:care_rule_new"), **ZH).content.decode()
    assert 'name="kind"' in form and 'data-kinds="missing_you"' in form
    data = posted(CareRuleForm.parameter_initial("missing_you"), code="missing-you-vip", name="VIP 久未到店", kind="missing_you",
                  active=True, task_kind="call", channel="phone", lead_days="0", due_time="15:00", audience="vip", store="",
                  script_zh="致电 {name}，{days} 天未到店，问候近况。")
    data["p_days"] = "45"
    response = client.post(reverse("console:care_rule_new"), data, **ZH)
    assert response.status_code == 302
    made = CareRule.objects.get(code="missing-you-vip")
    assert (made.kind, made.parameters, made.task_kind, made.audience) == ("missing_you", {"days": 45}, "call", "vip")
    again = client.post(reverse("console:care_rule_new"), {**data, "name": "另一个"}, **ZH)
    assert again.status_code == 200 and "code" in again.context["form"].errors
    assert CareRule.objects.get(code="missing-you-vip").name == "VIP 久未到店"


def test_a_rule_is_switched_off_and_on(login, hq, rules):
    client = login(hq)
    rule = rules["dormant-card"]
    client.post(reverse("console:care_rule_active", args=[rule.pk]), {"active": "0"})
    assert CareRule.objects.get(pk=rule.pk).active is False
    client.post(reverse("console:care_rule_active", args=[rule.pk]), {"active": "1"})
    assert CareRule.objects.get(pk=rule.pk).active is True


# ---- role scoping --------------------------------------------------------------------------------

def test_hq_pages_are_closed_to_guides_and_store_managers(login, guide_a, manager_a, rules):
    rule = rules["missing-you"]
    client = login(guide_a)
    for name, args in (("care_rules", []), ("care_rule", [rule.pk]), ("care_rule_new", []), ("message_templates", []),
                       ("message_template_new", []), ("outbox", [])):
        assert client.get(reverse(f"console:{name}", args=args)).status_code == 403
    assert client.post(reverse("console:care_rule_active", args=[rule.pk]), {"active": "0"}).status_code == 403
    assert CareRule.objects.get(pk=rule.pk).active is True
    nav = client.get("/").content.decode()
    assert 'id="nav-care-rules"' not in nav and 'id="nav-messages"' not in nav
    client = login(manager_a)
    assert client.get(reverse("console:care_rules")).status_code == 403
    assert client.get(reverse("console:message_templates")).status_code == 403
    nav = client.get(reverse("console:outbox")).content.decode()
    assert 'id="nav-messages"' in nav and 'id="tab-templates"' not in nav


def test_hq_has_both_links(login, hq):
    nav = login(hq).get("/", **ZH).content.decode()
    assert 'id="nav-care-rules"' in nav and 'id="nav-messages"' in nav and "关怀规则" in nav


def test_the_pages_work_in_english(login, hq, rules):
    client = login(hq)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Care rules" in client.get(reverse("console:care_rules")).content.decode()
    page = client.get(reverse("console:care_rule", args=[rules["holiday-greeting"].pk])).content.decode()
    assert "Mid-Autumn Festival" in page and "Holidays" in page
    assert "Outbox" in client.get(reverse("console:outbox")).content.decode()


# ---- message templates ---------------------------------------------------------------------------

def template_data(**over):
    data = {"code": "weekend", "name": "周末问候", "kind": "greeting", "purpose": "service", "channels": ["sms", "inbox"],
            "subject_zh": "", "body_zh": "{salutation}，周末愉快！——{store} {staff}", "subject_en": "", "body_en": "",
            "extra_placeholders": "", "sms_template_code": "", "active": "on"}
    data.update(over)
    return data


def test_hq_creates_and_edits_a_template(login, hq):
    client = login(hq)
    response = client.post(reverse("console:message_template_new"), template_data(), **ZH)
    assert response.status_code == 302
    made = MessageTemplate.objects.get(code="weekend")
    assert (made.kind, made.channels, made.active) == ("greeting", ["inbox", "sms"], True)
    listing = client.get(reverse("console:message_templates"), **ZH).content.decode()
    assert 'id="template-weekend"' in listing and "周末问候" in listing
    edit = posted(MessageTemplateForm.initial_for(made), body_en="Have a lovely weekend, {salutation}!", active=False)
    assert client.post(reverse("console:message_template", args=[made.pk]), edit).status_code == 302
    made.refresh_from_db()
    assert (made.body_en, made.active) == ("Have a lovely weekend, {salutation}!", False)


@pytest.mark.parametrize("change, field, words", [
    ({"body_zh": "{salutation}，周末愉快！新品八折促销中。"}, "body_zh", "促销"),
    ({"body_en": "Weekend sale: 20% off!"}, "body_en", "sale"),
    ({"body_zh": "{salutation}，{points}"}, "body_zh", "{points}"),
    ({"channels": []}, "channels", "sms"),
    ({"kind": "marketing"}, "purpose", "营销"),
    ({"body_zh": ""}, "body_zh", "中文"),
])
def test_a_bad_template_is_refused_and_nothing_is_saved(login, hq, change, field, words):
    response = login(hq).post(reverse("console:message_template_new"), template_data(**change), **ZH)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and words in " ".join(errors[field]), errors
    assert not MessageTemplate.objects.exists()


def test_a_new_template_may_not_take_an_existing_code(login, hq):
    template_save(actor=None, code="weekend", name="旧的", purpose="service", kind="notice", channels=["sms"], body_zh="你好")
    response = login(hq).post(reverse("console:message_template_new"), template_data(), **ZH)
    assert "code" in response.context["form"].errors
    assert MessageTemplate.objects.get(code="weekend").name == "旧的"


# ---- the outbox ----------------------------------------------------------------------------------

@pytest.fixture
def outbox(member_a, member_b):
    template_save(actor=None, code="notice", name="通知", purpose="service", kind="notice", channels=["sms", "email"],
                  body_zh="{name}，您的积分已更新。")
    noon = timezone.now().replace(hour=4, minute=0, second=0, microsecond=0)  # 12:00 in Shanghai: outside quiet hours
    a_sms = enqueue(member_a, "notice", "sms", now=noon)
    a_mail = enqueue(member_a, "notice", "email", now=noon)
    b_sms = enqueue(member_b, "notice", "sms", now=noon)
    OutboxMessage.objects.filter(pk=a_mail.pk).update(status="failed", reason="gateway_error", detail="554 rejected", attempts=5,
                                                       next_attempt_at=None)
    return {"a_sms": a_sms, "a_mail": a_mail, "b_sms": b_sms}


def test_a_store_manager_sees_only_his_stores_outbox_masked(login, manager_a, outbox):
    page = login(manager_a).get(reverse("console:outbox"), **ZH).content.decode()
    assert f'id="message-{outbox["a_sms"].pk}"' in page and f'id="message-{outbox["a_mail"].pk}"' in page
    assert f'id="message-{outbox["b_sms"].pk}"' not in page
    assert "138****8000" in page and "13812348000" not in page
    assert "x***@example.com" in page and "xm@example.com" not in page
    assert "张*明" in page and "张小明" not in page  # the name, in the list and in the body
    assert "554 rejected" in page and "网关" in page


def test_hq_sees_every_store_and_filters(login, hq, outbox, store_b):
    client = login(hq)
    page = client.get(reverse("console:outbox"), **ZH).content.decode()
    assert all(f'id="message-{m.pk}"' in page for m in outbox.values())
    assert "13812348000" not in page  # recipients stay masked even for HQ
    failed = client.get(reverse("console:outbox"), {"status": "failed"}).content.decode()
    assert f'id="message-{outbox["a_mail"].pk}"' in failed and f'id="message-{outbox["a_sms"].pk}"' not in failed
    sms_b = client.get(reverse("console:outbox"), {"channel": "sms", "store": store_b.code}).content.decode()
    assert f'id="message-{outbox["b_sms"].pk}"' in sms_b and f'id="message-{outbox["a_sms"].pk}"' not in sms_b
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    assert 'id="message-' not in client.get(reverse("console:outbox"), {"start": tomorrow}).content.decode()
    bad = client.get(reverse("console:outbox"), {"start": tomorrow, "end": clock.today().isoformat()}, **ZH)
    assert bad.status_code == 200 and "结束" in bad.content.decode()


def test_retry_a_failed_message_and_cancel_a_waiting_one(login, manager_a, outbox):
    client = login(manager_a)
    back = reverse("console:outbox") + "?status=failed"
    response = client.post(reverse("console:outbox_act", args=[outbox["a_mail"].pk, "retry"]), {"next": back}, **ZH)
    assert response.status_code == 302 and response.url == back
    mail = OutboxMessage.objects.get(pk=outbox["a_mail"].pk)
    assert (mail.status, mail.attempts) == ("queued", 0)
    client.post(reverse("console:outbox_act", args=[outbox["a_sms"].pk, "cancel"]))
    sms = OutboxMessage.objects.get(pk=outbox["a_sms"].pk)
    assert (sms.status, sms.reason) == ("suppressed", "cancelled")
    again = client.post(reverse("console:outbox_act", args=[outbox["a_sms"].pk, "cancel"]), follow=True, **ZH)
    assert "等待" in again.content.decode()  # only a waiting message can be cancelled


def test_a_store_manager_cannot_touch_another_stores_message(login, manager_a, outbox):
    client = login(manager_a)
    assert client.post(reverse("console:outbox_act", args=[outbox["b_sms"].pk, "cancel"])).status_code == 404
    assert OutboxMessage.objects.get(pk=outbox["b_sms"].pk).status == "queued"
    assert client.post(reverse("console:outbox_act", args=[outbox["a_sms"].pk, "delete"])).status_code == 404


def test_the_outbox_pages(login, hq, member_a):
    template_save(actor=None, code="notice", name="通知", purpose="service", kind="notice", channels=["inbox"], body_zh="{name}，你好。")
    for _ in range(55):
        enqueue(member_a, "notice", "inbox")
    client = login(hq)
    first = client.get(reverse("console:outbox"), {"channel": "inbox"}, **ZH).content.decode()
    assert first.count('id="message-') == 50 and "channel=inbox&amp;page=2" in first
    second = client.get(reverse("console:outbox"), {"channel": "inbox", "page": 2}).content.decode()
    assert second.count('id="message-') == 5


def test_a_rule_of_a_store_closed_since_keeps_its_store(login, hq, rules, store_a):
    from vipdesk.care.services import care_rule_update

    missing = care_rule_update(actor=hq, rule=rules["missing-you"], data={"store": store_a})
    store_a.__class__.objects.filter(pk=store_a.pk).update(active=False)
    response = login(hq).post(reverse("console:care_rule", args=[missing.pk]), rule_data(missing, p_days="30"))
    assert response.status_code == 302
    missing.refresh_from_db()
    assert (missing.store_id, missing.parameters) == (store_a.pk, {"days": 30})
