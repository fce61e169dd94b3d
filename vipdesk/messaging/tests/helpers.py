from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from vipdesk.members.services import consent_set
from vipdesk.messaging.message_templates import template_save

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def consent(member, purpose: str, channel: str, granted: bool):
    return consent_set(actor=None, member=member, purpose=purpose, channel=channel, granted=granted)


def birthday_template(**over):
    """000 篇2: 生日短信 … 祝福顾客幸福快乐、心愿达成 … 落尾处注明所在的店铺和姓名."""
    fields = dict(name="生日祝福", purpose="service", kind="greeting", channels=["sms", "email", "inbox"],
                  subject_zh="生日快乐", body_zh="{salutation}，今天是您的生日，祝您幸福快乐、心愿达成！——{store} {staff}",
                  subject_en="Happy birthday", body_en="Dear {salutation}, happy birthday! — {staff}, {store}",
                  sms_template_code="SMS_71390007")
    fields.update(over)
    return template_save(actor=None, code=fields.pop("code", "birthday"), **fields)


def event_template(**over):
    """001: 店铺推出优惠或几日活动，应提前3日通知VIP客户 — marketing, needs opt-in."""
    fields = dict(name="活动通知", purpose="marketing", kind="marketing", channels=["sms", "email", "inbox"],
                  subject_zh="VIP专场", body_zh="{salutation}：{event_date} {store} VIP专场，{level}会员享折上折。",
                  extra_placeholders=["event_date"])
    fields.update(over)
    return template_save(actor=None, code=fields.pop("code", "vip_event"), **fields)


def notice_template(**over):
    fields = dict(name="积分到期提醒", purpose="service", kind="notice", channels=["sms", "email", "inbox"],
                  subject_zh="积分到期提醒", body_zh="{salutation}，您有{points}积分将于{date}到期。", extra_placeholders=["points", "date"])
    fields.update(over)
    return template_save(actor=None, code=fields.pop("code", "points_expiry"), **fields)
