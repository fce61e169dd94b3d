"""A small crafted chain for the report tests: two regions, three stores, members of every age
band and gender, sales in September and October 2026 through the till service (so tier history,
points lots and ledgers are what production writes), returns by lines and by amount, guests,
stored-value top-ups, coupons of two campaigns, a tier override and a dormant member."""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from vipdesk.accounts.roles import Role
from vipdesk.coupons.models import Campaign, Coupon
from vipdesk.members.models import Member
from vipdesk.points.services import earn_rule_install_default
from vipdesk.sales.models import Sale
from vipdesk.till.services import return_post, sale_post
from vipdesk.testing.factories import RegionFactory, StaffFactory, StoreFactory, make_member
from vipdesk.tiers.models import Level, TierHistory
from vipdesk.tiers.presets import DEPARTMENT_STORE
from vipdesk.tiers.config import programme_install
from vipdesk.wallet.services import wallet_topup

_receipts = itertools.count(1)
D = Decimal


def at(day: dt.date, hour: int = 15) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def line(price: str, qty: int = 1, *, brand="", category="", size="", colour="", style="") -> dict:
    return {"sku": f"{brand or 'X'}-{style or 'S'}", "brand": brand, "category": category, "size": size, "colour": colour,
            "style_no": style, "unit_price": price, "quantity": qty, "amount": str(D(price) * qty)}


def sell(store, day: dt.date, lines: list[dict], *, member=None, hour: int = 15) -> Sale:
    receipt = f"T{next(_receipts):06d}"
    for i, ln in enumerate(lines, start=1):
        ln["line_no"] = i
    total = str(sum(D(ln["amount"]) for ln in lines))
    data = {"store": store.code, "terminal": "T1", "receipt_no": receipt, "occurred_at": at(day, hour).isoformat(),
            "lines": lines, "payments": [{"method": "cash", "amount": total}], "amount_paid": total}
    if member is not None:
        data["member"] = {"member_no": member.member_no}
    return sale_post(actor=None, data=data).sale


def give_back(sale: Sale, day: dt.date, *, amount: str | None = None, lines: list[dict] | None = None) -> None:
    data = {"store": sale.store.code, "terminal": "T1", "receipt_no": f"RET-{sale.receipt_no}-{next(_receipts)}",
            "occurred_at": at(day, 18).isoformat(), "original": {"receipt_no": sale.receipt_no}}
    if amount is not None:
        data["amount"] = amount
    if lines is not None:
        data["lines"] = lines
    return_post(actor=None, data=data)


def joined(member, day: dt.date) -> Member:
    Member.objects.filter(pk=member.pk).update(enrolled_at=at(day, 10))
    member.refresh_from_db()
    return member


def build_chain() -> dict:
    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)
    east, west = RegionFactory(code="EAST", name="华东"), RegionFactory(code="WEST", name="华西")
    e1 = StoreFactory(code="E1", name="东一店", region=east)
    e2 = StoreFactory(code="E2", name="东二店", region=east)
    w1 = StoreFactory(code="W1", name="西一店", region=west)
    hq = StaffFactory(username="rep_hq", role=Role.HQ_ADMIN)
    sep, octo = dt.date(2026, 9, 1), dt.date(2026, 10, 1)

    def member(store, name, gender, birthday, enrolled):
        m = make_member(actor=hq, store=store, name=name, gender=gender, birthday=birthday)
        return joined(m, enrolled)

    big = member(e1, "王大富", "F", "1990-05-01", dt.date(2025, 3, 1))       # VIP since September
    late = member(e1, "李后来", "M", "1960-11-30", dt.date(2025, 6, 1))      # VIP in October
    young = member(e2, "张小青", "F", "2003-01-01", dt.date(2026, 2, 1))
    nobody = member(w1, "赵无名", "U", None, dt.date(2026, 1, 10))
    fresh = member(e2, "钱新新", "M", "1985-10-31", dt.date(2026, 10, 12))   # new in October
    sleeper = member(e1, "孙睡睡", "F", "1975-02-28", dt.date(2024, 1, 1))   # bought long ago only
    westvip = member(w1, "周西西", "M", "1982-07-07", dt.date(2025, 1, 1))

    # The sleeper's only purchase, in 2025: dormant by October 2026 (12 months without a sale).
    sell(e1, dt.date(2025, 5, 3), [line("800.00", brand="甲", category="女装", size="M", colour="黑")], member=sleeper)

    # September
    s = sell(e1, sep.replace(day=3), [line("12000.00", brand="甲", category="女装", size="M", colour="黑", style="A1"),
                                      line("9000.00", brand="乙", category="珠宝", colour="金", style="J1")], member=big)
    sell(e1, sep.replace(day=20), [line("600.00", 2, brand="甲", category="女装", size="M", colour="红", style="A2")], member=big)
    sell(e1, sep.replace(day=9), [line("800.00", brand="丙", category="男装", size="XL", colour="蓝", style="B1")], member=late)
    sell(w1, sep.replace(day=9), [line("450.00", brand="丙", category="男装")])  # a guest
    sell(w1, sep.replace(day=15), [line("25000.00", brand="乙", category="珠宝", colour="金", style="J2")], member=westvip)
    sell(e2, sep.replace(day=28), [line("99.90", 3, brand="丁", category="配饰", colour="白")], member=young)

    # October
    sell(e1, octo.replace(day=2), [line("3000.00", brand="甲", category="女装", size="M", colour="黑", style="A3"),
                                   line("2000.00", brand="戊", category="鞋", size="37", colour="黑")], member=big)
    ret = sell(e1, octo.replace(day=5), [line("15000.00", brand="乙", category="珠宝", colour="金", style="J3"),
                                         line("7000.00", brand="丙", category="男装", size="XL", colour="蓝", style="B2"),
                                         line("300.00", 2, brand="丁", category="配饰", colour="白")], member=late)
    give_back(ret, octo.replace(day=8), lines=[{"line_no": 3, "quantity": 1}])  # one piece back by lines
    sell(e1, octo.replace(day=30), [line("1000.00", brand="丙", category="男装", size="XL", colour="灰")], member=late)
    sell(e2, octo.replace(day=6), [line("300.00", brand="丁", category="配饰", colour="白"),
                                   line("99.90", 2, brand="丁", category="配饰", colour="粉")], member=young)
    partial = sell(w1, octo.replace(day=7), [line("1200.00", brand="丙", category="男装", size="L", colour="蓝")], member=nobody)
    give_back(partial, octo.replace(day=9), amount="200.00")  # money only, no goods named
    sell(e2, octo.replace(day=13), [line("600.00", brand="戊", category="鞋", size="42", colour="棕")], member=fresh)
    sell(e1, octo.replace(day=14), [line("999.00", brand="甲", category="女装")])  # a guest
    sell(w1, octo.replace(day=21), [line("5200.00", brand="乙", category="珠宝", colour="银", style="J4")], member=westvip)

    # HQ set the young member to 金卡 by hand in mid-October (a crafted history row).
    gold = Level.objects.get(code="GOLD")
    TierHistory.objects.create(member=young, programme=gold.programme, from_level=None, to_level=gold, reason="override",
                               on=octo.replace(day=15))

    # stored value
    wallet_topup(actor=hq, member=big, store=e1, amount="1000.00", reference="TU1", at=at(sep.replace(day=4)))
    wallet_topup(actor=hq, member=nobody, store=w1, amount="500.00", reference="TU2", at=at(octo.replace(day=4)))

    # coupons: used ones point at the receipt that used them
    c1 = Campaign.objects.create(code="AUTUMN", name="秋季回馈", kind="voucher", face_value=D("100.00"))
    c2 = Campaign.objects.create(code="WELCOME", name="入会礼", kind="voucher", face_value=D("50.00"))
    big_oct = Sale.objects.get(member=big, business_date=octo.replace(day=2))
    young_oct = Sale.objects.get(member=young, business_date=octo.replace(day=6))
    big_sep = Sale.objects.get(member=big, business_date=sep.replace(day=3))

    def coupon(code, campaign, m, issued, used_sale=None):
        Coupon.objects.create(code=code, campaign=campaign, member=m, issued_on=issued, valid_from=issued,
                              status="used" if used_sale else "issued", used_sale=used_sale, face_value=campaign.face_value,
                              used_amount=campaign.face_value if used_sale else None,
                              used_at=at(used_sale.business_date) if used_sale else None)

    coupon("CP1", c1, big, octo, big_oct)
    coupon("CP2", c1, big, octo, big_oct)        # two coupons on one receipt: the receipt counts once
    coupon("CP3", c1, late, octo)                # a VIP who did not respond
    coupon("CP4", c1, young, sep.replace(day=20), young_oct)
    coupon("CP5", c2, big, sep, big_sep)
    coupon("CP6", c2, fresh, octo.replace(day=12))
    return {"stores": {"E1": e1, "E2": e2, "W1": w1}, "regions": {"EAST": east, "WEST": west}, "hq": hq,
            "members": {"big": big, "late": late, "young": young, "nobody": nobody, "fresh": fresh, "sleeper": sleeper,
                        "westvip": westvip}}


def sql(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, list(params))
        return cursor.fetchall()


def one(query: str, params=()):
    return sql(query, params)[0][0]


def stores_in(ids, column: str) -> tuple[str, list]:
    if ids is None:
        return "", []
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def money(value) -> Decimal:
    if value is None:
        return D("0.00")
    return D(repr(value) if isinstance(value, float) else value).quantize(D("0.01"))


def db_time(value: dt.datetime):
    """An aware datetime as the database stores it (SQLite: UTC text)."""
    return connection.ops.adapt_datetimefield_value(value)
