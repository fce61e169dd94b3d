"""The demo chain 示例百货: regions, stores, a franchisee and the staff with their roles."""
from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Role
from vipdesk.org.choices import Ownership
from vipdesk.org.models import Franchisee, Region, Store

from .people import BEIJING, HANGZHOU, City, PeopleFactory

DEMO_PASSWORD = "vipdesk2026"
STORE_CODES = ("S001", "S002", "S003")


@dataclass(frozen=True)
class StorePlan:
    code: str
    name: str
    region: str
    city: City
    address: str
    guides: int
    cashiers: int
    share: float  # share of the demo members filed in this store
    franchisee: str | None = None


STORES = (
    StorePlan("S001", "示例百货·王府井店", "HB", BEIJING, "北京市东城区王府井大街255号", guides=6, cashiers=2, share=0.45),
    StorePlan("S002", "示例百货·西单店", "HB", BEIJING, "北京市西城区西单北大街120号", guides=5, cashiers=2, share=0.35),
    StorePlan("S003", "示例百货·杭州湖滨店", "HD", HANGZHOU, "杭州市上城区延安路258号", guides=4, cashiers=1, share=0.20,
              franchisee="F001"),
)
REGIONS = {"HB": "华北", "HD": "华东"}
FRANCHISEE = {"code": "F001", "name": "杭州湖滨商贸", "legal_name": "杭州湖滨商贸有限公司", "contact_name": "沈建华",
              "contact_phone": "0571-87000000"}


def demo_present() -> bool:
    """The demo is loaded once; its store codes are the marker."""
    return Store.objects.filter(code__in=STORE_CODES).exists()


def build_chain(rng: random.Random, people: PeopleFactory) -> dict:
    """Create regions, stores and staff. Returns {"stores": {code: Store}, "staff": [Staff, …]}."""
    regions = {code: Region.objects.create(code=code, name=name) for code, name in REGIONS.items()}
    franchisee = Franchisee.objects.create(**FRANCHISEE)
    stores = {}
    for plan in STORES:
        stores[plan.code] = Store.objects.create(
            code=plan.code, name=plan.name, region=regions[plan.region], address=plan.address,
            ownership=Ownership.FRANCHISE if plan.franchisee else Ownership.DIRECT,
            franchisee=franchisee if plan.franchisee else None,
        )
    # One shared demo password, hashed once: hashing 30 times would cost ~10 s of PBKDF2.
    password = make_password(DEMO_PASSWORD)
    staff: list[Staff] = []
    employee_no = iter(range(1001, 2000))

    def add(username: str, role: str, store_codes=(), is_staff=False, is_superuser=False) -> Staff:
        gender = rng.choice("MF")
        name, _surname = people.name(gender, rng.randint(1970, 2000))
        user = Staff.objects.create(
            username=username, password=password, role=role, display_name=name, employee_no=f"E{next(employee_no)}",
            mobile=people.mobile(), is_staff=is_staff, is_superuser=is_superuser,
        )
        if store_codes:
            user.stores.set([stores[c] for c in store_codes])
        staff.append(user)
        return user

    # HQ admins get the Django admin too (is_staff), so the demo can show reference data there.
    add("hq", Role.HQ_ADMIN, is_staff=True, is_superuser=True)
    add("hq2", Role.HQ_ADMIN, is_staff=True)
    add("auditor", Role.AUDITOR)
    for plan in STORES:
        prefix = plan.code.lower()
        add(f"{prefix}_manager", Role.STORE_MANAGER, [plan.code])
        for i in range(1, plan.guides + 1):
            add(f"{prefix}_guide{i}", Role.GUIDE, [plan.code])
        for i in range(1, plan.cashiers + 1):
            add(f"{prefix}_cashier{i}", Role.CASHIER, [plan.code])
        add(f"{prefix}_am", Role.ACCOUNT_MANAGER, [plan.code])
    return {"stores": stores, "staff": staff}
