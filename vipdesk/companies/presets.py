"""The 济钢 scheme (seed 000 篇1): the yearly VIP-customer evaluation with its criteria, gates and the
80万/50万/30万 awards to the first three. Installed by `vipdesk init --preset b2b`; editable data."""
from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from .models import AwardKind, AwardTier, Criterion, Scheme, Source

JIGANG = {
    "code": "jigang-vip",
    "name": "VIP客户年度评价",
    "award_kind": AwardKind.REBATE,
    # code, name, unit, source, weight, lower is better, at least, at most
    "criteria": [
        ("volume", "年度合作量", "吨", Source.SALES_QUANTITY, "40", False, "50000", None),  # 年度合作量5万吨以上
        ("payment", "按期付款率", "%", Source.ENTERED, "25", False, "90", None),
        ("share", "采购份额", "%", Source.ENTERED, "20", False, None, None),
        ("cooperation", "合作配合度", "分", Source.ENTERED, "15", False, None, None),
        ("disputes", "质量异议", "次", Source.ENTERED, "0", True, None, "0"),  # no quality disputes: a gate only
    ],
    "awards": [(1, "800000"), (2, "500000"), (3, "300000")],  # 第一名80万元、第二名50万元、第三名30万元
}


def scheme_install(spec: dict = JIGANG) -> Scheme:
    """Create the scheme with its criteria and awards; an existing scheme of that code is left as it is."""
    with transaction.atomic():
        scheme, created = Scheme.objects.get_or_create(code=spec["code"], defaults={"name": spec["name"],
                                                                                   "award_kind": spec["award_kind"]})
        if created:
            for position, (code, name, unit, source, weight, lower, gate_min, gate_max) in enumerate(spec["criteria"]):
                Criterion.objects.create(scheme=scheme, code=code, name=name, unit=unit, source=source, weight=Decimal(weight),
                                         lower_is_better=lower, position=position,
                                         gate_min=None if gate_min is None else Decimal(gate_min),
                                         gate_max=None if gate_max is None else Decimal(gate_max))
            for rank, amount in spec["awards"]:
                AwardTier.objects.create(scheme=scheme, rank=rank, amount=Decimal(amount))
    return scheme


# The member programme `vipdesk init --preset b2b` installs beside the scheme: a contact is made a VIP
# customer by HQ's approval (the seed's VIP customers are 选定, chosen) once she has bought ¥1,000,000
# over 12 months; the evaluation above decides each year which companies stay.
B2B_TIERS = {
    "code": "b2b", "preset": "b2b", "name": "大客户会员等级",
    "retention_policy": "year_end", "grace_months": 0, "one_level_per_evaluation": True, "return_policy": "wait",
    "notes": ("种子000篇1(济钢):VIP客户是签订战略合作协议或资源锁定协议的大客户,由总部选定;每年年底评价,不合格者取消下年资格。"
              "本系统设定:联系人近12个月采购满100万元后经总部审批为VIP客户,年底复核;企业的年度评价见“年度评价”页。"),
    "levels": [
        {"code": "VIP", "name": "VIP客户", "is_vip": True, "groups": [{"mode": "all", "conditions": [
            {"kind": "rolling_window_spend", "months": 12, "amount": "1000000"}, {"kind": "manual_approval"}]}],
         "benefits": [{"code": "green_channel", "name": "五优先绿色通道"}, {"code": "account_manager", "name": "一对一大客户经理"},
                      {"code": "tech_service", "name": "优先技术服务"}]},
    ],
}
