"""Real purchase behaviour for the demo: the CDNOW purchase histories (shipped inside the PyPI
package `lifetimes` as lifetimes/datasets/CDNOW_master.txt: customer, date, quantity, dollars).

CDNOW customers are mapped onto demo members; their 18 months of dates are shifted to end
yesterday; dollar amounts become yuan (× YUAN_PER_DOLLAR, so a typical CD order becomes a
department-store basket) and are spread over stores, categories and brands. The file is found
without importing `lifetimes` (which would pull in pandas and scipy just to read a text file).
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import random
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from vipdesk.core.money import quantize

YUAN_PER_DOLLAR = Decimal("40")  # ≈ exchange rate × department-store basket size vs a CD order
CDNOW_LAST_DAY = dt.date(1998, 6, 30)

# Department-store categories with brands and typical unit prices (yuan), for realistic lines.
CATALOGUE = {
    "女装": (["ONLY", "VERO MODA", "哥弟", "例外", "玛丝菲尔"], 399),
    "男装": (["七匹狼", "利郎", "海澜之家", "报喜鸟", "雅戈尔"], 599),
    "化妆品": (["兰蔻", "雅诗兰黛", "资生堂", "百雀羚", "自然堂"], 320),
    "珠宝": (["周大福", "老凤祥", "周生生", "六福珠宝"], 2600),
    "鞋包": (["百丽", "达芙妮", "新秀丽", "Coach"], 799),
    "童装": (["巴拉巴拉", "安奈儿", "小猪班纳"], 199),
    "家居": (["罗莱家纺", "富安娜", "水星家纺"], 459),
    "运动": (["李宁", "安踏", "耐克", "阿迪达斯"], 499),
}


@dataclass
class DemoLine:
    sku: str
    name: str
    brand: str
    category: str
    unit_price: Decimal
    quantity: int

    @property
    def amount(self) -> Decimal:
        return quantize(self.unit_price * self.quantity)


@dataclass
class DemoPurchase:
    member_index: int
    day: dt.date
    store_index: int
    lines: list[DemoLine] = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


def cdnow_path() -> Path:
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The CDNOW data ships with the PyPI package `lifetimes`: pip install lifetimes")
    return Path(list(spec.submodule_search_locations)[0]) / "datasets" / "CDNOW_master.txt"


def cdnow_histories(path: Path | None = None) -> dict[str, list[tuple[dt.date, int, Decimal]]]:
    """customer id → [(date, quantity, dollars)], same-day orders merged, in date order."""
    merged: dict[tuple[str, dt.date], list] = {}
    with open(path or cdnow_path(), encoding="ascii") as fh:
        next(fh)  # header
        for raw in fh:
            parts = raw.split()
            if len(parts) != 4:
                continue
            customer, day, qty, dollars = parts
            key = (customer, dt.datetime.strptime(day, "%Y%m%d").date())
            entry = merged.setdefault(key, [0, Decimal("0")])
            entry[0] += int(qty)
            entry[1] += Decimal(dollars)
    out: dict[str, list] = defaultdict(list)
    for (customer, day), (qty, dollars) in sorted(merged.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        if dollars > 0 and qty > 0:
            out[customer].append((day, qty, dollars))
    return out


def plan_purchases(*, members: int, stores: int, yesterday: dt.date, seed: int = 2026,
                   histories: dict | None = None) -> list[DemoPurchase]:
    """Deterministic purchases for `members` demo members (by index) over `stores` stores (by index).

    Member i gets the history of a CDNOW customer drawn with a fixed seed; ~80% of a member's
    purchases are in his home store (index i % stores), the rest anywhere in the chain.
    """
    rng = random.Random(seed)
    histories = histories if histories is not None else cdnow_histories()
    customers = sorted(histories)
    chosen = rng.sample(customers, min(members, len(customers)))
    shift = yesterday - CDNOW_LAST_DAY
    categories = list(CATALOGUE)
    plans: list[DemoPurchase] = []
    for index, customer in enumerate(chosen):
        home = index % stores
        favourite = rng.sample(categories, 3)  # each member has favourite categories (R8.5)
        for day, qty, dollars in histories[customer]:
            store = home if rng.random() < 0.8 else rng.randrange(stores)
            target = quantize(dollars * YUAN_PER_DOLLAR)
            plans.append(DemoPurchase(index, day + shift, store, _lines(rng, favourite, qty, target)))
    plans.sort(key=lambda p: (p.day, p.member_index))
    return plans


def _lines(rng: random.Random, favourite: list[str], quantity: int, target: Decimal) -> list[DemoLine]:
    """Split a basket worth `target` into up to `quantity` lines whose amounts add up exactly."""
    count = max(1, min(quantity, 4))
    weights = [rng.random() + 0.2 for _ in range(count)]
    total_weight = sum(weights)
    lines, allotted = [], Decimal("0.00")
    for n, weight in enumerate(weights):
        category = rng.choice(favourite) if rng.random() < 0.85 else rng.choice(list(CATALOGUE))
        brands, _typical = CATALOGUE[category]
        brand = rng.choice(brands)
        amount = target - allotted if n == count - 1 else quantize(target * Decimal(weight / total_weight))
        if amount <= 0:
            continue
        allotted += amount
        sku = f"{zlib.crc32(f'{brand}/{category}'.encode()) % 10000:04d}-{rng.randrange(100):02d}"
        lines.append(DemoLine(sku=sku, name=f"{brand} {category}", brand=brand, category=category, unit_price=amount, quantity=1))
    return lines
