"""The seeds' tier programmes (R4.2–R4.5) as specs for config.programme_install.

Numbers from the seeds are exact. Where a seed is silent (retention policy, restaurant thresholds,
quotas of countable benefits) the choice is written in `notes`, stored on the programme, so staff
see why the programme behaves as it does and HQ can change it.
"""
from __future__ import annotations

from .choices import BenefitPeriod as P, ConditionKind as K, RetentionPolicy as R, ReturnPolicy

DAY, MONTH, YEAR = P.DAY, P.MONTH, P.YEAR


def _any(*conditions):
    """Level reached by any one of the conditions (each its own group)."""
    return [{"mode": "all", "conditions": [c]} for c in conditions]


def spend(months, amount):
    return {"kind": K.ROLLING_SPEND, "months": months, "amount": amount}


def single(amount, months=12):
    return {"kind": K.SINGLE_PURCHASE, "months": months, "amount": amount}


def quarter(amount):
    return {"kind": K.QUARTER_SPEND, "amount": amount}


def visits(months, count):
    return {"kind": K.VISITS, "months": months, "count": count}


APPROVAL = {"kind": K.MANUAL_APPROVAL}


def _parking(hours):
    return {"code": "parking", "name": f"免费停车{hours}小时", "value": hours, "unit": "小时", "quota": hours, "period": DAY}


def _partner(rate):
    return {"code": "partner_discount", "name": f"联盟商家{rate}折", "value": rate, "unit": "折"}


_TIER_PRICE = {"code": "tier_price", "name": "商场活动期间会员独有折扣"}
_LOUNGE = {"code": "lounge", "name": "专属VIP休息区"}

DEPARTMENT_STORE = {
    "code": "department-store", "preset": "department-store", "name": "百货会员等级",
    "retention_policy": R.ANNIVERSARY, "grace_months": 0, "one_level_per_evaluation": True,
    "return_policy": ReturnPolicy.REVOKE,
    "notes": ("升级标准取自商场VIP方案的升级进程(凭购物小票办理普卡)。保级由本系统选定:升级满一周年时按升级标准复核,"
              "不达标每次最多降一级;普卡不参加保级复核。退货时,若办理或升级所凭的消费被退回后不再达标,"
              "该等级随之收回(普卡亦然,因其凭小票办理)。紫金钻石卡须消费达标并经总部审批(信用、持续消费能力、社会地位)。"
              "停车按每日小时数计额度;私人导购每月4次、紫金专场每年1次为本系统设定的额度。"),
    "levels": [
        {"code": "PK", "name": "普卡", "retention_exempt": True,
         "groups": [{"mode": "all", "conditions": [{"kind": K.FIRST_PURCHASE, "amount": "500"}, spend(3, "1500")]}],
         "benefits": [_parking(1), _partner("9.5")]},
        {"code": "SILVER", "name": "银卡", "groups": _any(spend(6, "3000"), spend(12, "5000")),
         "benefits": [_parking(2), _partner("9"), _TIER_PRICE]},
        {"code": "GOLD", "name": "金卡", "groups": _any(spend(6, "5000"), spend(12, "8000")),
         "benefits": [_parking(4), _partner("8.8"), _TIER_PRICE]},
        {"code": "DIAMOND", "name": "钻石卡", "is_vip": True, "groups": _any(spend(12, "20000")),
         "benefits": [_parking(4), _partner("8.5"), _TIER_PRICE, _LOUNGE]},
        {"code": "PURPLE", "name": "紫金钻石卡", "is_vip": True,
         "groups": [{"mode": "all", "conditions": [spend(12, "40000"), APPROVAL]}],
         "benefits": [_parking(6), _partner("8"), _TIER_PRICE, _LOUNGE,
                      {"code": "personal_shopper", "name": "私人导购服务", "quota": 4, "period": MONTH},
                      {"code": "lounge_drinks", "name": "VIP休息区免费茶饮、咖啡、甜点"},
                      {"code": "free_delivery", "name": "电话订购、网络订购、市区免费送货上门"},
                      {"code": "private_sale", "name": "紫金VIP独有销售活动", "quota": 1, "period": YEAR}]},
    ],
}

APPAREL = {
    "code": "apparel", "preset": "apparel", "name": "服装品牌会员等级",
    "retention_policy": R.ROLLING, "grace_months": 3, "one_level_per_evaluation": True,
    "return_policy": ReturnPolicy.REVOKE,
    "notes": ("按季度消费额定级(种子001):2000普通会员卡、5000银卡、10000金卡、20000钻石卡。"
              "保级由本系统选定:每日滚动复核,本季度消费达标即保级;不达标时有3个月宽限期(即上季度达标可保持到本季度末),"
              "之后每次最多降一级。"),
    "levels": [
        {"code": "MEMBER", "name": "普通会员卡", "groups": _any(quarter("2000")), "benefits": [
            {"code": "birthday_gift", "name": "生日礼物", "quota": 1, "period": YEAR}]},
        {"code": "SILVER", "name": "银卡", "groups": _any(quarter("5000")), "benefits": [
            {"code": "birthday_gift", "name": "生日礼物", "quota": 1, "period": YEAR}]},
        {"code": "GOLD", "name": "金卡", "is_vip": True, "groups": _any(quarter("10000")), "benefits": [
            {"code": "birthday_gift", "name": "生日礼物", "quota": 1, "period": YEAR},
            {"code": "vip_event", "name": "VIP专享聚会", "quota": 4, "period": YEAR}]},
        {"code": "DIAMOND", "name": "钻石卡", "is_vip": True, "groups": _any(quarter("20000")), "benefits": [
            {"code": "birthday_gift", "name": "生日礼物", "quota": 1, "period": YEAR},
            {"code": "vip_event", "name": "VIP专享聚会", "quota": 12, "period": YEAR}]},
    ],
}

SPECIALTY = {
    "code": "specialty", "preset": "specialty", "name": "专柜VIP会员",
    "retention_policy": R.ANNIVERSARY, "grace_months": 0, "one_level_per_evaluation": True,
    "return_policy": ReturnPolicy.REVOKE,
    "notes": ("种子002 vip会员管理制度:一次性购满5000元或一年内累计满10000元办银卡;一次性购满10000元或一年内累计满20000元为金卡;"
              "会员生日赠礼品一份。“一次性”按近12个月内的单笔计算。保级由本系统选定:升级满一周年复核,每次最多降一级。"),
    "levels": [
        {"code": "SILVER", "name": "VIP银卡", "is_vip": True, "groups": _any(single("5000"), spend(12, "10000")),
         "benefits": [{"code": "birthday_gift", "name": "生日礼品", "quota": 1, "period": YEAR}]},
        {"code": "GOLD", "name": "VIP金卡", "is_vip": True, "groups": _any(single("10000"), spend(12, "20000")),
         "benefits": [{"code": "birthday_gift", "name": "生日礼品", "quota": 1, "period": YEAR}]},
    ],
}

RESTAURANT = {
    "code": "restaurant", "preset": "restaurant", "name": "餐厅VIP等级",
    "retention_policy": R.ROLLING, "grace_months": 3, "one_level_per_evaluation": True,
    "return_policy": ReturnPolicy.REVOKE,
    "notes": ("种子002只说按消费金额和消费频次分金牌/银牌/铜牌VIP,没有数字。本系统设定:近12个月消费满2000元且到店6天为铜牌,"
              "满5000元且12天为银牌,满10000元且24天为金牌(到店按有消费的天数计)。每日滚动复核,3个月宽限,每次最多降一级。"
              "待遇按种子逐级列出;送餐、包间的次数额度为本系统设定。"),
    "levels": [
        {"code": "BRONZE", "name": "铜牌VIP", "is_vip": True,
         "groups": [{"mode": "all", "conditions": [spend(12, "2000"), visits(12, 6)]}],
         "benefits": [{"code": "private_room", "name": "贵宾包间", "quota": 2, "period": MONTH},
                      {"code": "dessert", "name": "餐前甜点"}, {"code": "free_drinks", "name": "免费赠送酒水"}]},
        {"code": "SILVER", "name": "银牌VIP", "is_vip": True,
         "groups": [{"mode": "all", "conditions": [spend(12, "5000"), visits(12, 12)]}],
         "benefits": [{"code": "priority_booking", "name": "优先订座"},
                      {"code": "discount", "name": "9折优惠", "value": "9", "unit": "折"},
                      {"code": "birthday_gift", "name": "生日礼物", "quota": 1, "period": YEAR}]},
        {"code": "GOLD", "name": "金牌VIP", "is_vip": True,
         "groups": [{"mode": "all", "conditions": [spend(12, "10000"), visits(12, 24)]}],
         "benefits": [{"code": "dedicated_waiter", "name": "专属服务员"},
                      {"code": "free_delivery", "name": "免费送餐上门", "quota": 4, "period": MONTH},
                      {"code": "custom_menu", "name": "定制菜单"}]},
    ],
}

PRESETS = {"department-store": DEPARTMENT_STORE, "apparel": APPAREL, "specialty": SPECIALTY, "restaurant": RESTAURANT}
