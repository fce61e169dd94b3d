"""Dates of care: solar and lunar holidays, lunar birthdays, the change of season.

Lunar dates come from `lunardate` (tables 1900–2099). Conventions, written down in docs/decisions.md:
- A lunar birthday is kept in the regular month of its number, also for members born in a leap
  month (闰月); in a leap month nobody has a lunar birthday.
- A member born on the 30th of a lunar month celebrates on the 29th in years whose month has 29 days.
- A solar birthday on 29 February is kept on 28 February in common years.
- The change of season uses the approximate solar-term dates 立春 2-04, 立夏 5-05, 立秋 8-07,
  立冬 11-07 (they move by a day between years; a rule may configure its own dates).
"""
from __future__ import annotations

import calendar as _cal
import datetime as dt
from dataclasses import dataclass

from lunardate import LunarDate

from vipdesk.core.dates import add_months

_from_solar = getattr(LunarDate, "from_solar_date", None) or LunarDate.fromSolarDate
_to_solar = getattr(LunarDate, "to_solar_date", None) or LunarDate.toSolarDate


@dataclass(frozen=True)
class Holiday:
    code: str
    name: str     # as the member reads it in a Chinese script
    name_en: str  # for English scripts and the English console
    lunar: bool
    month: int
    day: int  # 0 for 除夕: the last day of the twelfth lunar month


HOLIDAYS: dict[str, Holiday] = {h.code: h for h in (
    Holiday("new_year", "元旦", "New Year's Day", False, 1, 1),
    Holiday("valentine", "情人节", "Valentine's Day", False, 2, 14),
    Holiday("womens_day", "妇女节", "Women's Day", False, 3, 8),
    Holiday("labour_day", "劳动节", "Labour Day", False, 5, 1),
    Holiday("national_day", "国庆节", "National Day", False, 10, 1),
    Holiday("christmas", "圣诞节", "Christmas", False, 12, 25),
    Holiday("new_years_eve", "除夕", "Chinese New Year's Eve", True, 12, 0),
    Holiday("spring_festival", "春节", "Spring Festival", True, 1, 1),
    Holiday("lantern", "元宵节", "Lantern Festival", True, 1, 15),
    Holiday("dragon_boat", "端午节", "Dragon Boat Festival", True, 5, 5),
    Holiday("qixi", "七夕节", "Qixi Festival", True, 7, 7),
    Holiday("mid_autumn", "中秋节", "Mid-Autumn Festival", True, 8, 15),
    Holiday("double_ninth", "重阳节", "Double Ninth Festival", True, 9, 9),
)}

SEASON_DATES = {"02-04": "立春", "05-05": "立夏", "08-07": "立秋", "11-07": "立冬"}


def is_leap(year: int) -> bool:
    return _cal.isleap(year)


def holiday_date(code: str, year: int) -> dt.date:
    """The solar date of the holiday in solar year `year`."""
    h = HOLIDAYS[code]
    if not h.lunar:
        return dt.date(year, h.month, h.day)
    if h.day == 0:  # 除夕 of the lunar year that ends in solar year `year`
        return _to_solar(LunarDate(year, 1, 1)) - dt.timedelta(days=1)
    return _to_solar(LunarDate(year, h.month, h.day))


def holidays_on(day: dt.date, codes) -> list[str]:
    return [c for c in codes if c in HOLIDAYS and holiday_date(c, day.year) == day]


@dataclass(frozen=True)
class LunarDay:
    year: int
    month: int
    day: int
    leap: bool
    last_of_month: bool  # the 29th of a month that has no 30th


def lunar_day(day: dt.date) -> LunarDay:
    ld = _from_solar(day.year, day.month, day.day)
    leap = bool(getattr(ld, "isLeapMonth", False))
    last = False
    if ld.day == 29:
        try:
            _to_solar(LunarDate(ld.year, ld.month, 30, leap))  # the constructor alone does not check the day
        except ValueError:
            last = True
    return LunarDay(ld.year, ld.month, ld.day, leap, last)


def solar_birthday_days(day: dt.date) -> list[tuple[int, int]]:
    """(month, day) pairs of solar birthdays kept on `day`."""
    pairs = [(day.month, day.day)]
    if (day.month, day.day) == (2, 28) and not is_leap(day.year):
        pairs.append((2, 29))
    return pairs


def lunar_birthday_days(day: dt.date) -> tuple[LunarDay, list[tuple[int, int]]]:
    """(lunar day, [(lunar month, lunar day)]) of lunar birthdays kept on `day`; none in a leap month."""
    ld = lunar_day(day)
    if ld.leap:
        return ld, []
    pairs = [(ld.month, ld.day)]
    if ld.last_of_month:
        pairs.append((ld.month, 30))
    return ld, pairs


def source_days(on: dt.date, *, days: int = 0, months: int = 0) -> list[dt.date]:
    """The dates whose anniversary "`days` days / `months` months later" falls on `on`. A month
    later than 31 January is 28 (29) February, so on the last day of a month every later source
    day of the shorter month is due too."""
    if months == 0:
        return [on - dt.timedelta(days=days)]
    first = add_months(on, -months)
    out = [first]
    if on.day == _cal.monthrange(on.year, on.month)[1]:
        last = _cal.monthrange(first.year, first.month)[1]
        out += [first.replace(day=d) for d in range(first.day + 1, last + 1)]
    return out
