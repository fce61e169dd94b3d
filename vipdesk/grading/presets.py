"""The postal bank's grading (seed 003 篇12; issue 20 §3) for `vipdesk init --preset bank`.

Levels 普通/银/金/钻石/私人银行, graded by assets under management only (weight 1: the score is the
AUM in yuan), measured as the month's average daily balance. The issue gives four AUM figures for
five levels and asks that an average AUM of 200万 grade 金: so 普通 starts at 5万 (a customer under
5万 holds no level), 银 at 50万, 金 at 200万, 钻石 at 600万; the seeds give no figure for 私人银行,
2000万 is this preset's choice (HQ edits it on the grading rules page). A level is kept until the
customer has been below it for three consecutive months; maturity reminders go to the manager
seven days ahead; a shared customer's credit is split by the managers' shares.
"""
from vipdesk.tiers.choices import ConditionKind, RetentionPolicy, ReturnPolicy

_GRADED = [{"mode": "all", "conditions": [{"kind": ConditionKind.GRADED}]}]

BANK_PROGRAMME = {
    "code": "bank", "preset": "bank", "name": "储蓄客户等级",
    # Spending never moves a bank customer's level, and the tier app's own retention never lowers it:
    # the monthly grading run does both (vipdesk.grading).
    "retention_policy": RetentionPolicy.NEVER, "return_policy": ReturnPolicy.WAIT,
    "notes": ("客户等级由每月客户分级按资产(月日均余额)评定:普通5万、银卡50万、金卡200万、钻石600万、"
              "私人银行2000万(种子资料未给私人银行门槛,由本系统设定,总部可在分级规则页修改);"
              "连续3个月低于所持等级才降级。消费不影响等级。"),
    "levels": [
        {"code": "PT", "name": "普通", "groups": _GRADED},
        {"code": "YK", "name": "银卡", "is_vip": True, "groups": _GRADED},
        {"code": "JK", "name": "金卡", "is_vip": True, "groups": _GRADED},
        {"code": "ZS", "name": "钻石", "is_vip": True, "groups": _GRADED},
        {"code": "SB", "name": "私人银行", "is_vip": True, "groups": _GRADED},
    ],
}

BANK_SCHEME = {
    "code": "bank", "name": "邮储客户分级(资产)", "aum_measure": "average", "downgrade_after_months": 3,
    "maturity_lead_days": 7, "share_rule": "split",
    "notes": "按月日均金融资产分级;定期、理财到期前7天提醒客户经理;共管客户业绩按份额拆分。",
    "measures": {"aum": "1"},
    "bands": [{"level_code": "PT", "min_score": "50000"}, {"level_code": "YK", "min_score": "500000"},
              {"level_code": "JK", "min_score": "2000000"}, {"level_code": "ZS", "min_score": "6000000"},
              {"level_code": "SB", "min_score": "20000000"}],
}
