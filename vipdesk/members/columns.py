"""Spreadsheet columns shared by member import and export (R1.5).

The Chinese labels are the column names of the import template and of full exports, and the
field names in import reports, so a report line points at the column the user sees. Header
matching is forgiving: case, spaces, a required-mark `*` and a hint in brackets are ignored
("开卡门店（门店编码）" is "开卡门店").
"""
from __future__ import annotations

import datetime as dt
import re

from django.utils import translation

from .choices import ContactPreference, Gender, PromoReceptiveness, SourceChannel

# Import fields: member fields, plus `lunar_birthday` (one cell → lunar month/day/leap) and
# `card_number` (an existing card to migrate with card_migrate_legacy).
FIELD_LABELS: dict[str, str] = {
    "name": "姓名", "mobile": "手机", "gender": "性别", "birthday": "生日", "lunar_birthday": "农历生日", "ethnicity": "民族",
    "email": "邮箱", "address": "地址", "id_number": "身份证号", "clothing_size": "服装尺码", "shoe_size": "鞋码",
    "occupation": "职业", "family": "家庭", "personality": "性格", "consumption_habits": "消费习惯", "style_preferences": "风格偏好",
    "hobbies": "爱好", "lifestyle": "生活方式", "preferred_contact": "联系偏好", "promo_receptiveness": "促销敏感度",
    "values": "价值观", "source_channel": "来源渠道", "referrer": "推荐人", "home_store": "开卡门店", "owner": "所属导购",
    "tags": "标签", "notes": "备注", "card_number": "卡号",
}
# Column headers of the template and of full exports: the label plus what to write in it.
FIELD_HEADERS: dict[str, str] = {
    **FIELD_LABELS, "referrer": "推荐人(会员号)", "home_store": "开卡门店(门店编码)", "owner": "所属导购(用户名)",
}
REQUIRED_FIELDS = ("name", "mobile")

_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "会员姓名", "客户姓名", "顾客姓名", "name", "full name", "member name", "customer name"),
    "mobile": ("手机", "手机号", "手机号码", "移动电话", "联系电话", "电话", "mobile", "mobile phone", "mobile number", "phone", "cell"),
    "gender": ("性别", "gender", "sex"),
    "birthday": ("生日", "出生日期", "公历生日", "阳历生日", "birthday", "date of birth", "birth date", "dob"),
    "lunar_birthday": ("农历生日", "阴历生日", "lunar birthday"),
    "ethnicity": ("民族", "ethnicity"),
    "email": ("邮箱", "电子邮件", "电子邮箱", "email", "e-mail", "mail"),
    "address": ("地址", "住址", "联系地址", "家庭住址", "address"),
    "id_number": ("身份证号", "身份证", "身份证号码", "证件号码", "id number", "id no", "id card", "id card number"),
    "clothing_size": ("服装尺码", "衣服尺码", "尺码", "clothing size", "size"),
    "shoe_size": ("鞋码", "鞋子尺码", "shoe size"),
    "occupation": ("职业", "工作", "职业/工作", "occupation", "job"),
    "family": ("家庭", "家庭情况", "家庭成员", "family"),
    "personality": ("性格", "personality"),
    "consumption_habits": ("消费习惯", "consumption habits"),
    "style_preferences": ("风格偏好", "款式偏好", "style preferences", "style"),
    "hobbies": ("爱好", "兴趣爱好", "hobbies", "hobby"),
    "lifestyle": ("生活方式", "lifestyle"),
    "preferred_contact": ("联系偏好", "服务方式偏好", "喜好的服务方式", "preferred contact", "contact preference", "preferred service style"),
    "promo_receptiveness": ("促销敏感度", "促销接受度", "对促销的态度", "promo receptiveness", "receptiveness to promotions"),
    "values": ("价值观", "values"),
    "source_channel": ("来源渠道", "来源", "渠道", "source", "source channel"),
    "referrer": ("推荐人", "推荐人会员号", "介绍人", "referrer", "referred by"),
    "home_store": ("开卡门店", "门店", "门店编码", "开卡门店编码", "所属门店", "home store", "store", "store code"),
    "owner": ("所属导购", "导购", "客户经理", "导购用户名", "owner"),
    "tags": ("标签", "tags", "tag"),
    "notes": ("备注", "notes", "note", "remarks"),
    "card_number": ("卡号", "会员卡号", "旧卡号", "card number", "card no", "card"),
}
_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")


def normalize_header(header) -> str:
    text = _BRACKETS.sub("", str(header or "").replace("\ufeff", ""))
    return re.sub(r"[\s_*＊:：-]", "", text).lower()


_HEADER_TO_FIELD = {normalize_header(alias): field for field, aliases in _ALIASES.items() for alias in aliases}


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """File column header → import field, for the headers we recognise; each field once (first column wins)."""
    mapping: dict[str, str] = {}
    for header in headers:
        field = _HEADER_TO_FIELD.get(normalize_header(header))
        if field and header not in mapping and field not in mapping.values():
            mapping[header] = field
    return mapping


def label_for(key: str) -> str:
    """Chinese label for a field key as reported by validation (lunar_birth_day → 农历生日)."""
    if key.startswith("lunar_birth"):
        key = "lunar_birthday"
    if key == "id_number_hash":
        key = "id_number"
    return FIELD_LABELS.get(key, key)


# --- choice fields: spreadsheets carry labels, the model stores codes -----------------------------

CHOICES = {"gender": Gender, "preferred_contact": ContactPreference, "promo_receptiveness": PromoReceptiveness,
           "source_channel": SourceChannel}
_EXTRA_ALIASES = {
    "gender": {"男性": "M", "女性": "F", "先生": "M", "女士": "F"},
    "preferred_contact": {"电话": "phone", "打电话": "phone", "短信": "sms", "上门": "visit", "拜访": "visit", "到访": "visit",
                          "不联系": "none", "勿扰": "none", "无": "none"},
    "promo_receptiveness": {"高": "high", "喜欢": "high", "中": "medium", "一般": "medium", "低": "low", "反感": "low"},
    "source_channel": {"到店": "walk_in", "自然到店": "walk_in", "进店": "walk_in", "转介绍": "referral", "推荐": "referral",
                       "介绍": "referral", "线上": "online", "网络": "online", "活动": "event", "异业": "partner", "异业联盟": "partner",
                       "合作商户": "partner", "导入": "import", "其他": "other", "其它": "other"},
}


def choice_aliases() -> dict[str, dict[str, str]]:
    """Per choice field: code, Chinese and English label (as exports write them), common words → code.

    Built once per import (it switches language to read the labels)."""
    table = {}
    for field, choices in CHOICES.items():
        aliases = {c.value.lower(): c.value for c in choices}
        aliases.update(_EXTRA_ALIASES.get(field, {}))
        for language in {translation.get_language() or "zh-hans", "zh-hans", "en"}:
            with translation.override(language):
                aliases.update({str(c.label).lower(): c.value for c in choices})
        table[field] = aliases
    return table


def choice_value(aliases: dict[str, str], raw: str) -> str:
    """The code for a label; anything unknown is returned unchanged for validation to refuse."""
    text = (raw or "").strip()
    return aliases.get(text.lower(), text)


# --- lunar birthday: "八月十五", "闰四月初八", "8-15", "8月15日" ----------------------------------------

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_MONTHS = {"正": 1, "冬": 11, "腊": 12}


def _cn_number(text: str) -> int:
    text = text.strip()
    if text.isdigit():
        return int(text)
    if text.startswith("初"):
        text = text[1:]
    if text.startswith("廿"):
        return 20 + (_cn_number(text[1:]) if text[1:] else 0)
    if text.startswith("卅"):
        return 30 + (_cn_number(text[1:]) if text[1:] else 0)
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)
    if len(text) == 1 and text in _CN_DIGITS:
        return _CN_DIGITS[text]
    raise ValueError(text)


def parse_lunar(value) -> tuple[int, int, bool] | None:
    """(month, day, leap) or None for a blank cell; ValueError if unreadable. Ranges are checked by validation."""
    if value in (None, ""):
        return None
    if isinstance(value, (dt.date, dt.datetime)):  # Excel turned "8-15" into a date
        return value.month, value.day, False
    text = re.sub(r"\s", "", str(value))
    for prefix in ("农历", "阴历"):
        text = text.removeprefix(prefix)
    leap = text.startswith("闰")
    text = text.removeprefix("闰")
    match = re.fullmatch(r"(\d{1,2})[-/.月](\d{1,2})日?", text)
    if match:
        return int(match[1]), int(match[2]), leap
    match = re.fullmatch(r"(.+?)月(.+?)日?", text)
    if not match:
        raise ValueError(text)
    month_text = match[1].removeprefix("闰")
    leap = leap or match[1].startswith("闰")
    month = _CN_MONTHS.get(month_text) or _cn_number(month_text)
    return month, _cn_number(match[2]), leap


def format_lunar(month: int | None, day: int | None, leap: bool) -> str:
    if not month or not day:
        return ""
    return f"{'闰' if leap else ''}{month}-{day}"
