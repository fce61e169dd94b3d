"""THE test of the set-based import (salesimport/bulk.py): for the same file, its effects equal those
of posting every receipt through the till's `sale_post` / `return_post` — sales, lines, payments and
their stored results, points entries, lots and balances, tiers and their history, approvals, coupons,
care tasks, member totals and the webhooks events — on random files over several days (upgrades mid-file,
replays and conflicts, anonymous sales, unknown members, returns, a member with history before)."""
import datetime as dt
import json
import random
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from vipdesk.care.models import CareTask
from vipdesk.coupons.models import Coupon
from vipdesk.members.models import Member
from vipdesk.points.models import PointsAccount, PointsEntry, PointsLot
from vipdesk.sales.models import Sale, SaleLine, SalePayment
from vipdesk.salesimport.reading import read_receipts
from vipdesk.salesimport.services import run_receipts
from vipdesk.tiers.models import MemberTier, TierApproval, TierHistory
from vipdesk.till.services import sale_post
from vipdesk.webhooks.models import Event
from vipdesk.webhooks.services import subscription_create

pytestmark = pytest.mark.django_db(transaction=False)

EVENTS = ["sale.posted", "return.posted", "tier.changed", "care_task.created", "coupon.issued", "points.expired"]


def _when(days_ago: int, second: int) -> str:
    at = timezone.localtime(timezone.now() - dt.timedelta(days=days_ago, hours=3)).replace(microsecond=0)
    return (at + dt.timedelta(seconds=second)).isoformat()


def _ref(member, cards, rng):
    if member.pk in cards and rng.random() < 0.7:
        return {"card": cards[member.pk]}
    return {"mobile": member.mobile} if rng.random() < 0.5 else {"member_no": member.member_no}


def random_file(seed: int, members, cards) -> tuple[str, list[dict]]:
    rng = random.Random(seed)
    bodies, posted = [], []
    second = 0
    for days_ago in (4, 3, 2, 1, 0):
        for _n in range(rng.randint(6, 14)):
            second += 1
            member = rng.choice(members + [None, None])
            lines = [{"line_no": i + 1, "sku": f"SKU-{rng.randint(1, 9)}", "name": "商品", "unit_price": f"{rng.choice([80, 300, 1200, 4500, 9000])}.00",
                      "quantity": 1, "category": rng.choice(["", "服装", "化妆品"])} for i in range(rng.randint(1, 3))]
            for line in lines:
                line["amount"] = line["unit_price"]
            total = str(sum(Decimal(line["amount"]) for line in lines))
            body = {"store": "SA01", "receipt_no": f"Q{seed}-{len(bodies):04d}", "occurred_at": _when(days_ago, second),
                    "lines": lines, "amount_paid": total, "payments": [{"method": rng.choice(["wechat", "cash", "alipay"]), "amount": total}]}
            if member is not None:
                body["member"] = _ref(member, cards, rng)
            bodies.append(body)
            posted.append(body)
            roll = rng.random()
            if roll < 0.08 and posted:  # the same receipt again: a replay
                bodies.append(json.loads(json.dumps(rng.choice(posted))))
            elif roll < 0.12 and posted:  # the same number, other content: a conflict
                twin = json.loads(json.dumps(rng.choice(posted)))
                twin["terminal"] = "T9"
                bodies.append(twin)
            elif roll < 0.15:
                bodies.append({**body, "receipt_no": body["receipt_no"] + "X", "member": {"card": "NO-SUCH"}})
            elif roll < 0.2 and member is not None and days_ago < 4:  # a return of an earlier sale of hers
                ours = [b for b in posted if b.get("member") and b is not body and _owner(b, members, cards) == member.pk]
                if ours:
                    second += 1
                    bodies.append({"kind": "return", "store": "SA01", "receipt_no": f"RT{seed}-{len(bodies)}",
                                   "occurred_at": _when(days_ago, second), "original": {"receipt_no": rng.choice(ours)["receipt_no"]}})
    return "\n".join(json.dumps(b, ensure_ascii=False) for b in bodies) + "\n", bodies


def _owner(body, members, cards):
    key, value = next(iter(body["member"].items()))
    for m in members:
        if (key == "card" and cards.get(m.pk) == value) or (key != "card" and getattr(m, key) == value):
            return m.pk
    return None


def _result(result: dict, lines: dict) -> dict:
    out = json.loads(json.dumps(result))
    out.pop("id", None)
    if isinstance(out.get("original"), dict):
        out["original"].pop("id", None)
    return out


def srt(rows) -> list:
    return sorted(rows, key=repr)  # rows with None in them


def everything() -> dict:
    """Every effect, in terms that do not depend on row ids (sales by receipt, lines by line number)."""
    receipt = dict(Sale.objects.values_list("pk", "receipt_no"))
    line_no = {pk: (receipt[s], n) for pk, s, n in SaleLine.objects.values_list("pk", "sale_id", "line_no")}
    sales = srt((s.receipt_no, s.kind, s.store_id, s.terminal, s.occurred_at, s.business_date, s.member_id, s.card_id, s.identified_by,
                    s.amount, s.amount_paid, s.returned_amount, receipt.get(s.original_id), s.content_hash,
                    json.dumps(_result(s.result, line_no), sort_keys=True)) for s in Sale.objects.all())
    lines = srt((receipt[ln.sale_id], ln.line_no, ln.sku, ln.category, ln.amount, ln.quantity, ln.returned_quantity, ln.returned_amount,
                    line_no.get(ln.original_line_id)) for ln in SaleLine.objects.all())
    payments = srt((receipt[p.sale_id], p.method, p.amount) for p in SalePayment.objects.all())
    lots = {pk: (receipt.get(s), m) for pk, s, m in PointsLot.objects.values_list("pk", "sale_id", "account__member_id")}

    def detail(d):
        d = dict(d)
        if "weights" in d:
            d["weights"] = sorted((line_no.get(int(k), k), v) for k, v in d["weights"].items())
        return json.dumps(d, sort_keys=True)

    entries = srt((e.account.member_id, e.kind, e.points, e.debt, e.business_date, e.store_id, receipt.get(e.sale_id), lots.get(e.lot_id),
                      detail(e.detail)) for e in PointsEntry.objects.select_related("account"))
    lot_rows = srt((lot.account.member_id, receipt.get(lot.sale_id), lot.store_id, lot.franchisee_id, lot.earned_on, lot.available_on,
                       lot.expires_on, lot.original, lot.remaining, lot.pending) for lot in PointsLot.objects.select_related("account"))
    accounts = srt(PointsAccount.objects.values_list("member_id", "balance", "debt"))
    tiers = srt(MemberTier.objects.values_list("member_id", "programme_id", "level__code", "reached_on", "last_qualified_on",
                                                  "override_until"))
    history = srt((h.member_id, h.from_level_id, h.to_level_id, h.reason, h.on, receipt.get(h.sale_id), h.note)
                     for h in TierHistory.objects.all())
    approvals = srt((a.member_id, a.level_id, a.status, receipt.get(a.sale_id), a.requested_on) for a in TierApproval.objects.all())
    care = srt((t.member_id, t.rule_id, t.kind, t.channel, t.due_on, t.due_at, t.status, t.owner_id, t.source_key, t.script,
                   json.dumps(t.reasons, sort_keys=True), json.dumps(t.context, sort_keys=True, default=str)) for t in CareTask.objects.all())
    members = srt(Member.objects.values_list("pk", "total_spend", "last_purchase_at"))
    events = {}
    for e in Event.objects.order_by("id"):
        data = json.loads(json.dumps(e.payload["data"]))
        for key in ("sale", "return"):
            if isinstance(data.get(key), dict):
                data[key].pop("id", None)
                if isinstance(data[key].get("original"), dict):
                    data[key]["original"].pop("id", None)
        data.pop("sale_id", None)
        data.pop("task", None) if e.type == "care_task.created" else None
        events.setdefault(e.member_id, []).append((e.type, json.dumps(data, sort_keys=True, default=str)))
    return {"sales": sales, "lines": lines, "payments": payments, "entries": entries, "lots": lot_rows, "accounts": accounts,
            "tiers": tiers, "history": history, "approvals": approvals, "care": care, "members": members,
            "coupons": Coupon.objects.count(), "events": events}


def _import(data: str, *, set_based: bool):  # (posted, replayed, failed), the report, receipts the set-based path wrote
    receipts, _total, _mapping = read_receipts(data=data.encode(), filename="f.jsonl", fmt="jsonl")
    outcome = run_receipts(receipts, actor=None, dry_run=False, all_or_nothing=False, set_based=set_based)
    report = sorted((r.label, e["row"], e["field"], e["message"]) for r in receipts for e in r.errors)
    return (outcome.posted, outcome.replayed, outcome.failed), report, outcome.set_based


def _effects_of(data: str, *, set_based: bool):
    with transaction.atomic():
        first = _import(data, set_based=set_based)
        again = _import(data, set_based=set_based)  # a re-sent file changes nothing
        seen = everything()
        transaction.set_rollback(True)
    return first, again, seen


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_set_based_import_equals_posting_each_receipt(shoppers, seed):
    members, cards = shoppers
    subscription_create(actor=None, data={"name": "ERP", "url": "https://erp.example.com/h", "events": EVENTS})
    # history before the file: a member near an upgrade, another with older sales
    for i, (member, amount) in enumerate([(members[0], "1400.00"), (members[1], "600.00"), (members[1], "2500.00")]):
        sale_post(actor=None, data={"store": "SA01", "receipt_no": f"H{i}", "occurred_at": _when(20 + i, 0), "member": {"member_no": member.member_no},
                                    "lines": [{"line_no": 1, "sku": "OLD", "unit_price": amount, "quantity": 1, "amount": amount}],
                                    "amount_paid": amount, "payments": [{"method": "cash", "amount": amount}]})
    data, _bodies = random_file(seed, members, cards)
    (till_counts, till_report, by_till), (till_again, till_report2, _n), till = _effects_of(data, set_based=False)
    (counts, report, set_based), (again, report2, _m), bulk = _effects_of(data, set_based=True)
    assert (counts, report, again, report2) == (till_counts, till_report, till_again, till_report2)  # counts and row reports
    assert by_till == 0 and set_based > counts[0] // 2  # most receipts took the set-based path
    for key in till:
        assert bulk[key] == till[key], key
    assert counts[0] > 20 and again[0] == 0 and again[1] == counts[0] + counts[1]  # the second run: replays only
    assert bulk["history"] and bulk["care"] and bulk["entries"] and bulk["events"]
