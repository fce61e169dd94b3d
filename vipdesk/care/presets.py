"""The care rules of the seeds, installed by `vipdesk init` and the demo (editable afterwards).

- Birthday: greeting on the day, a gift prepared 7 days ahead for VIP levels (mailed with a card,
  seed 001 五: 此礼物随同生日贺卡一起邮寄VIP家中), a birthday-discount reminder 3 days ahead
  (seed 001: 生日当天来店铺消费…再给予一定折扣; 002: 生日购物提醒). Lunar birthdays are kept on the
  lunar date (calendar "auto": the lunar birthday when the file has one).
- Holidays and change of season: greetings with no advertising, signed with store and name
  (seed 000 篇2 三.1 a/b); a holiday gift prepared 3 days ahead for VIP levels (000 B.a).
- Missing you after 90 days without a purchase, sent by the member's own guide (000 c).
- 1311 (seed 003 篇11): 当天回访, 3天短信, 1月回访, 1年回访.
- A message 30 minutes after a VIP leaves (seed 001 bar: 离场半小时后短信问候).
- Event notice 3 days ahead (seed 001: 提前3天通知VIP客户): a phone call for the key (VIP) levels,
  an SMS for the rest.
- Points near 10,000 (seed 001 bar: 积分接近一万分的客户, 进行问候), points expiring within 30 days,
  a level about to be lost at its review in 30 days, a level changed, a card gone dormant.
- A weekly greeting every Friday, split among the store's staff by their books (seed 003 篇5:
  每周五统一给所有VIP发祝福及温馨短信, 并把给VIP发信息的任务分配落实到个人).
"""
import datetime as dt

from .choices import Audience, Channel, RuleKind, TaskKind

SIGN = "【{store}】{staff}"

PRESET_RULES: dict[str, dict] = {
    "birthday-greeting": {
        "name": "生日祝福", "kind": RuleKind.BIRTHDAY, "task_kind": TaskKind.MESSAGE, "channel": Channel.SMS,
        "due_time": dt.time(9, 0),
        "script_zh": "{name}，今天是您的生日，祝您生日快乐，幸福安康，心愿达成！" + SIGN,
        "script_en": "Happy birthday, {name}! Wishing you health and happiness. {staff}, {store}",
    },
    "birthday-gift": {
        "name": "生日礼品准备", "kind": RuleKind.BIRTHDAY, "task_kind": TaskKind.GIFT_PREP, "channel": Channel.STORE,
        "lead_days": 7, "audience": Audience.VIP,
        "script_zh": "{name}（{level}）的生日是 {date}：精心挑选生日小礼品，连同生日贺卡寄到家中，寄出后立即通知顾客。",
        "script_en": "{name} ({level}) has a birthday on {date}: choose a small gift, mail it with a card, then tell her.",
    },
    "birthday-discount": {
        "name": "生日优惠提醒", "kind": RuleKind.BIRTHDAY_DISCOUNT, "task_kind": TaskKind.MESSAGE, "channel": Channel.SMS,
        "lead_days": 3,
        "script_zh": "{name}，{date} 是您的生日，生日当天到店消费可在原有折扣基础上再享生日折扣，期待您的光临。" + SIGN,
        "script_en": "{name}, your birthday is on {date}: shop with us that day for an extra birthday discount. {staff}, {store}",
    },
    "holiday-greeting": {
        "name": "节日祝福", "kind": RuleKind.HOLIDAY, "task_kind": TaskKind.MESSAGE, "channel": Channel.SMS,
        "due_time": dt.time(9, 0),
        "parameters": {"holidays": ["new_year", "new_years_eve", "spring_festival", "lantern", "womens_day", "labour_day",
                                    "dragon_boat", "qixi", "mid_autumn", "national_day", "double_ninth"]},
        "script_zh": "{name}，{holiday}快乐！祝您和家人幸福美满，心想事成。" + SIGN,
        "script_en": "Happy {holiday}, {name}! Best wishes to you and your family. {staff}, {store}",
    },
    "holiday-gift": {
        "name": "节日礼品准备", "kind": RuleKind.HOLIDAY, "task_kind": TaskKind.GIFT_PREP, "channel": Channel.STORE,
        "lead_days": 3, "audience": Audience.VIP, "parameters": {"holidays": ["spring_festival", "mid_autumn"]},
        "script_zh": "{holiday}（{date}）前为 {name}（{level}）准备一份节日小礼品。",
        "script_en": "Prepare a small {holiday} gift ({date}) for {name} ({level}).",
    },
    "season-change": {
        "name": "换季关怀", "kind": RuleKind.SEASON, "task_kind": TaskKind.MESSAGE, "channel": Channel.SMS,
        "script_zh": "{name}，今日{season}，天气变化，出入注意加减衣服、注意饮食，保重身体。" + SIGN,
        "script_en": "{name}, the season is changing ({season}): dress for the weather and take care. {staff}, {store}",
    },
    "missing-you": {
        "name": "久未到店问候", "kind": RuleKind.MISSING_YOU, "task_kind": TaskKind.MESSAGE, "channel": Channel.SMS,
        "parameters": {"days": 90},
        "script_zh": "{name}，好久不见，很想念您！最近天气多变，记得注意休息，照顾好自己。" + SIGN,
        "script_en": "{name}, we have not seen you for a while and miss you! Take good care and rest well. {staff}, {store}",
    },
    "1311-same-day": {
        "name": "1311 当天回访", "kind": RuleKind.AFTER_PURCHASE, "task_kind": TaskKind.CALL, "channel": Channel.PHONE,
        "due_time": dt.time(21, 0), "parameters": {"after_days": 0},
        "script_zh": "致电 {name}，感谢今天（{date}）的光临，询问商品使用感受，提醒保养要点。",
        "script_en": "Call {name}: thank her for today's visit ({date}), ask how she likes the purchase, give care tips.",
    },
    "1311-day-3": {
        "name": "1311 三天短信", "kind": RuleKind.AFTER_PURCHASE, "task_kind": TaskKind.MESSAGE, "channel": Channel.SMS,
        "parameters": {"after_days": 3},
        "script_zh": "{name}，感谢您 {date} 的惠顾，商品使用中有任何问题请随时联系我。" + SIGN,
        "script_en": "{name}, thank you for shopping with us on {date}; call me with any question. {staff}, {store}",
    },
    "1311-month-1": {
        "name": "1311 一月回访", "kind": RuleKind.AFTER_PURCHASE, "task_kind": TaskKind.CALL, "channel": Channel.PHONE,
        "parameters": {"after_months": 1},
        "script_zh": "致电 {name}，回访 {date} 购买的商品：是否满意，有无需要帮助之处。",
        "script_en": "Call {name} about the purchase of {date}: is she satisfied, does she need help?",
    },
    "1311-year-1": {
        "name": "1311 一年回访", "kind": RuleKind.AFTER_PURCHASE, "task_kind": TaskKind.CALL, "channel": Channel.PHONE,
        "parameters": {"after_months": 12},
        "script_zh": "致电 {name}，{date} 的购买已满一年：回访使用情况，了解新的需求。",
        "script_en": "Call {name}: a year since the purchase of {date}; how is it, what does she need now?",
    },
    "after-visit": {
        "name": "离场问候", "kind": RuleKind.AFTER_VISIT, "task_kind": TaskKind.MESSAGE, "channel": Channel.SMS,
        "audience": Audience.VIP, "parameters": {"minutes": 30},
        "script_zh": "{name}，感谢今晚的光临，路上注意安全，到家早点休息。" + SIGN,
        "script_en": "{name}, thank you for coming tonight; get home safely and rest well. {staff}, {store}",
    },
    "event-notice-call": {
        "name": "活动通知（重点会员电话）", "kind": RuleKind.EVENT_NOTICE, "task_kind": TaskKind.CALL, "channel": Channel.PHONE,
        "lead_days": 3, "audience": Audience.VIP,
        "script_zh": "致电 {name}（{level}），邀请参加 {event_date} 的“{event}”，确认是否出席。",
        "script_en": "Call {name} ({level}) to invite her to “{event}” on {event_date}; ask whether she will come.",
    },
    "event-notice-sms": {
        "name": "活动通知（短信）", "kind": RuleKind.EVENT_NOTICE, "task_kind": TaskKind.MESSAGE, "channel": Channel.SMS,
        "lead_days": 3, "audience": Audience.NON_VIP,
        "script_zh": "{name}，诚邀您参加 {event_date} 的“{event}”，期待您的光临。" + SIGN,
        "script_en": "{name}, you are invited to “{event}” on {event_date}. {staff}, {store}",
    },
    "points-near": {
        "name": "积分接近一万分问候", "kind": RuleKind.POINTS_NEAR, "task_kind": TaskKind.CALL, "channel": Channel.PHONE,
        "parameters": {"threshold": 10000, "margin": 1000},
        "script_zh": "致电 {name}：积分已有 {points} 分，再积 {short} 分即满 {threshold} 分，问候并介绍可兑换的礼品。",
        "script_en": "Call {name}: {points} points, {short} short of {threshold}; greet her and mention the rewards.",
    },
    "points-expiring": {
        "name": "积分到期提醒", "kind": RuleKind.POINTS_EXPIRING, "task_kind": TaskKind.MESSAGE, "channel": Channel.SMS,
        "lead_days": 30,
        "script_zh": "{name}，您有 {points} 积分将于 {expires_on} 到期，请及时兑换。" + SIGN,
        "script_en": "{name}, {points} of your points expire after {expires_on}; redeem them in time. {staff}, {store}",
    },
    "tier-review": {
        "name": "等级即将变动", "kind": RuleKind.TIER_REVIEW, "task_kind": TaskKind.CALL, "channel": Channel.PHONE,
        "lead_days": 30,
        "script_zh": "致电 {name}：当前等级 {level} 将于 {review_on} 复核，按目前消费将无法保级，告知保级条件。",
        "script_en": "Call {name}: her level {level} is reviewed on {review_on} and would not be kept; explain what keeps it.",
    },
    "tier-changed": {
        "name": "等级变动关怀", "kind": RuleKind.TIER_CHANGED, "task_kind": TaskKind.CALL, "channel": Channel.PHONE,
        "parameters": {"direction": "any"},
        "script_zh": "致电 {name}：等级由“{from_level}”变为“{to_level}”，说明新等级的权益。",
        "script_en": "Call {name}: her level changed from “{from_level}” to “{to_level}”; explain its benefits.",
    },
    "dormant-card": {
        "name": "休眠卡唤醒", "kind": RuleKind.DORMANT, "task_kind": TaskKind.CALL, "channel": Channel.PHONE,
        "script_zh": "致电 {name}：会员卡已休眠，问候近况，了解久未到店的原因并记录。",
        "script_en": "Call {name}: her card has gone dormant; ask how she is and why she has not come, and note it.",
    },
    "weekly-greeting": {
        "name": "每周五问候", "kind": RuleKind.WEEKLY_GREETING, "task_kind": TaskKind.MESSAGE, "channel": Channel.SMS,
        "audience": Audience.VIP, "parameters": {"weekday": 4, "split": "owner"},
        "script_zh": "{name}，周末愉快！天气多变，注意休息，祝您和家人安康。" + SIGN,
        "script_en": "Have a lovely weekend, {name}! Take care and rest well. {staff}, {store}",
    },
}
