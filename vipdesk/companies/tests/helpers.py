"""The 济钢 year of the tests (seed 000 篇1): twelve strategic users, their contacts' purchases
posted through the till service, the entered figures, two HQ people."""
from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone
from stdnum.cn import uscc

from vipdesk.accounts.roles import Role
from vipdesk.companies.evaluation import measurement_set, year_open
from vipdesk.companies.models import Company
from vipdesk.companies.presets import scheme_install
from vipdesk.companies.services import agreement_add, company_create, contact_add
from vipdesk.core import clock
from vipdesk.testing.factories import StaffFactory, StoreFactory, make_member
from vipdesk.till.services import sale_post

_receipts = itertools.count(1)

# name, tons bought this year, on-time payment %, share %, cooperation, quality disputes
STRATEGIC = [
    ("山东重型机械有限公司", 98000, "99", "60", "95", 0),
    ("济南汽车制造集团有限公司", 92000, "98", "55", "90", 0),
    ("青岛造船股份有限公司", 88000, "100", "45", "92", 0),
    ("淄博钢结构工程有限公司", 80000, "97", "40", "85", 0),
    ("潍坊锅炉制造有限公司", 76000, "95", "50", "80", 0),
    ("烟台桥梁建设集团有限公司", 70000, "96", "35", "88", 0),
    ("临沂机械装备有限公司", 66000, "94", "30", "75", 0),
    ("泰安工程机械有限公司", 62000, "93", "38", "82", 0),
    ("德州管业有限公司", 58000, "92", "25", "70", 0),
    ("聊城钢材贸易有限公司", 54000, "91", "28", "78", 0),
    ("日照港口机械有限公司", 41000, "99", "20", "90", 0),   # below 5万吨: fails the volume gate
    ("滨州压力容器有限公司", 95000, "98", "58", "93", 2),   # two quality disputes: fails that gate
]


def credit_code(n: int) -> str:
    base = f"91370100MA3C{n:05d}"
    return base + uscc.calc_check_digit(base)


def buy(member, tons: int, store, *, unit_price: str = "50.00") -> None:
    """The contact buys `tons` (one receipt per ≤ 90,000 units) through the real posting service."""
    left = tons
    while left > 0:
        qty = min(left, 90000)
        amount = f"{int(float(unit_price) * qty)}.00"
        sale_post(actor=None, data={"store": store.code, "terminal": "T1", "receipt_no": f"JG{next(_receipts):06d}",
                                    "occurred_at": timezone.now().isoformat(), "member": {"mobile": member.mobile},
                                    "amount_paid": amount,
                                    "lines": [{"sku": "HRC-Q235", "name": "热轧卷板Q235", "unit_price": unit_price, "quantity": qty,
                                               "amount": amount}],
                                    "payments": [{"method": "bank_card", "amount": amount}]})
        left -= qty


def jigang_year(*, store=None):
    """The scheme, 12 companies with their agreements, contacts, purchases and figures; returns
    (year, companies, hq1, hq2)."""
    store = store or StoreFactory(code="JG01", name="济钢销售公司")
    hq1 = StaffFactory(username="hq_review", role=Role.HQ_ADMIN)
    hq2 = StaffFactory(username="hq_approve", role=Role.HQ_ADMIN)
    scheme = scheme_install()
    today = clock.today()
    year = year_open(actor=hq1, scheme=scheme, year=today.year)
    criteria = {c.code: c for c in scheme.criteria.all()}
    companies = []
    for n, (name, tons, payment, share, cooperation, disputes) in enumerate(STRATEGIC, start=1):
        company = company_create(actor=hq1, data={"name": name, "uscc": credit_code(n), "industry": "装备制造", "region": "山东",
                                                  "manager": "hq_review"})
        agreement_add(actor=hq1, company=company, data={"number": f"JG-ZL-{n:03d}", "title": "战略合作协议",
                                                        "valid_from": dt.date(today.year, 1, 1), "valid_until": dt.date(today.year, 12, 31),
                                                        "terms": "资源锁定，每月均衡采购"})
        buyer = make_member(store=store)
        contact_add(actor=hq1, company=company, member=buyer, role="purchasing", primary=True)
        buy(buyer, tons, store)
        for code, value in (("payment", payment), ("share", share), ("cooperation", cooperation), ("disputes", disputes)):
            measurement_set(actor=hq1, year=year, company=company, criterion=criteria[code], value=value)
        companies.append(company)
    return year, companies, hq1, hq2


def by_name(name: str) -> Company:
    return Company.objects.get(name=name)
