"""Templates: placeholders filled safely, greetings without advertising (000 篇2 三.1)."""
import pytest

from vipdesk.core.errors import PermissionDenied, ValidationFailed
from vipdesk.messaging.models import BlockedWord
from vipdesk.messaging.rendering import render
from vipdesk.messaging.message_templates import template_save
from vipdesk.testing.factories import make_member

from .helpers import birthday_template, event_template

pytestmark = pytest.mark.django_db


def test_birthday_greeting_is_signed_with_store_and_staff_name(member, birthday, guide_a):
    guide_a.display_name = "王芳"
    guide_a.save()
    out = render(birthday, member)
    assert out.subject == "生日快乐"
    assert out.body == "陈女士，今天是您的生日，祝您幸福快乐、心愿达成！——A店 王芳"
    assert render(birthday, member, language="en").body == "Dear Ms 陈, happy birthday! — 王芳, A店"


def test_the_sender_signs_before_the_owner_and_english_falls_back_to_chinese(member, guide_b):
    guide_b.display_name = "李娜"
    template = birthday_template(code="plain", body_en="")
    out = render(template, member, staff=guide_b, language="en")
    assert out.language == "zh-hans" and out.body.endswith("A店 李娜")


def test_level_and_extra_placeholders(member, event):
    out = render(event, member, context={"event_date": "5月1日"})
    assert out.body == "陈女士：5月1日 A店 VIP专场，会员享折上折。"  # no tier yet: {level} is empty
    assert out.params == {"salutation": "陈女士", "event_date": "5月1日", "store": "A店", "level": ""}
    with pytest.raises(ValidationFailed, match="event_date"):
        render(event, member)
    with pytest.raises(ValidationFailed):
        render(event, member, context={"event_date": "5月1日", "name": "冒充"})  # built-ins cannot be overridden


def test_a_value_is_inserted_once_never_read_as_a_placeholder(member, event):
    out = render(event, member, context={"event_date": "{name}"})
    assert "{name}" in out.body and "陈美玲" not in out.body


@pytest.mark.parametrize("text", ["{name.__class__}", "{name[0]}", "{name:>999}", "{0}", "{Name}", "您好 {", "{ name }"])
def test_anything_but_a_plain_placeholder_is_refused_at_save(db, text):
    with pytest.raises(ValidationFailed):
        birthday_template(code="bad", body_zh=text)


def test_unknown_placeholder_is_refused_and_named(db):
    with pytest.raises(ValidationFailed) as err:
        birthday_template(code="bad", body_zh="{name}，您的余额 {balance}")
    assert "{balance}" in err.value.message and "body_zh" in err.value.fields


def test_literal_braces(member):
    template = birthday_template(code="braces", body_zh="{{VIP}} {name}")
    assert render(template, member).body == "{VIP} 陈美玲"


@pytest.mark.parametrize("text", ["{salutation}，换季了，本店新品上市，欢迎选购", "{salutation}，节日快乐！全场8折促销", "Big SALE today, {name}"])
def test_a_greeting_with_advertising_is_refused(db, text):
    with pytest.raises(ValidationFailed) as err:
        birthday_template(code="season", body_zh=text)
    assert err.value.code == "advertising_in_greeting"
    assert err.value.message.startswith("问候信息不得含广告内容")  # Chinese by default


def test_the_seed_change_of_season_greeting_passes(db):
    """000 篇2 b: 换季短信 — 入冬提醒顾客天气变凉、出入要注意加减衣服、注意饮食."""
    template = birthday_template(code="winter", body_zh="{salutation}，入冬了，天气变凉，出入注意加减衣服、注意饮食。——{store} {staff}",
                                 body_en="Winter is here: keep warm. A wholesale of good wishes from {store}.")
    assert template.pk  # "wholesale" is not the word "sale"


def test_marketing_may_advertise_but_needs_the_marketing_purpose(db):
    assert event_template(code="sale", body_zh="{name}，新品上市，全场折扣").pk
    with pytest.raises(ValidationFailed) as err:
        event_template(code="sale2", purpose="service")
    assert "purpose" in err.value.fields


def test_a_blocked_word_added_by_hq_applies(db):
    BlockedWord.objects.create(word="到店有礼")
    with pytest.raises(ValidationFailed):
        birthday_template(code="gift", body_zh="{name}生日快乐，到店有礼")


def test_only_hq_edits_templates(db, guide_a, hq):
    with pytest.raises(PermissionDenied):
        template_save(actor=guide_a, code="x", name="x", purpose="service", kind="notice", channels=["sms"], body_zh="您好")
    saved = template_save(actor=hq, code="x", name="x", purpose="service", kind="notice", channels=["sms"], body_zh="您好")
    assert template_save(actor=hq, code="x", body_zh="您好！").pk == saved.pk  # partial change keeps the rest


def test_salutation_is_surname_and_title(store_a, birthday):
    member = make_member(store=store_a, name="赵敏", gender="F")
    assert render(birthday, member).body.startswith("赵女士")
