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
from vipdesk.coupons.campaigns import campaign_save, rule_save
from vipdesk.coupons.models import Campaign, Coupon, CouponEvent
from vipdesk.members.models import Member
from vipdesk.points.config import earn_rule_save
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


def random_file(seed: int, members, cards, *, odd: bool = True) -> tuple[str, list[dict]]:
    """Five business dates of sales; with `odd`, also replays, conflicts, unknown cards and returns."""
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
            roll = rng.random() if odd else 1.0
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
    for coupon in out.get("coupons_earned") or []:
        coupon.pop("code", None)  # random by design
    if isinstance(out.get("coupons"), dict):  # a return's coupons revoked / restored, by code: counted
        out["coupons"] = {k: len(v) if isinstance(v, list) else v for k, v in out["coupons"].items()}
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
    coupons = srt((c.member_id, c.campaign.code, c.rule_id, c.status, c.face_value, c.valid_from, c.valid_until, c.issued_on,
                   receipt.get(c.earned_by_id), c.source_key, receipt.get(c.used_sale_id)) for c in Coupon.objects.select_related("campaign"))
    coupon_events = srt((e.coupon.member_id, e.coupon.rule_id, e.coupon.source_key, e.kind, receipt.get(e.sale_id), e.amount, e.note)
                        for e in CouponEvent.objects.select_related("coupon"))
    events = {}
    for e in Event.objects.order_by("id"):
        data = json.loads(json.dumps(e.payload["data"]))
        for key in ("sale", "return"):
            if isinstance(data.get(key), dict):
                data[key].pop("id", None)
                if isinstance(data[key].get("original"), dict):
                    data[key]["original"].pop("id", None)
        data.pop("sale_id", None)
        if isinstance(data.get("coupon"), dict):
            data["coupon"].pop("id", None)
            data["coupon"].pop("code_last4", None)
        data.pop("task", None) if e.type == "care_task.created" else None
        events.setdefault(e.member_id, []).append((e.type, json.dumps(data, sort_keys=True, default=str)))
    return {"sales": sales, "lines": lines, "payments": payments, "entries": entries, "lots": lot_rows, "accounts": accounts,
            "tiers": tiers, "history": history, "approvals": approvals, "care": care, "members": members,
            "coupons": coupons, "coupon_events": coupon_events, "campaigns": srt(Campaign.objects.values_list("code", "issued_count")),
            "events": events}


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


def _returns(bodies) -> str:
    """Two returns at the end of the file, of the first two member sales with two lines or more: one whole, one of its
    first line (their members' receipts then all go through the till, in file order)."""
    taken = {b["original"]["receipt_no"] for b in bodies if b.get("kind") == "return"}
    sales = list({b["receipt_no"]: b for b in reversed(bodies) if b.get("member") not in (None, {"card": "NO-SUCH"})
                  and b.get("kind") != "return" and "terminal" not in b and len(b["lines"]) > 1
                  and b["receipt_no"] not in taken}.values())[::-1][:2]
    out = [{"kind": "return", "store": "SA01", "receipt_no": "RX1", "occurred_at": _when(0, 7000),
            "original": {"receipt_no": sales[0]["receipt_no"]}},
           {"kind": "return", "store": "SA01", "receipt_no": "RX2", "occurred_at": _when(0, 7001),
            "original": {"receipt_no": sales[1]["receipt_no"]}, "lines": [{"line_no": 1, "quantity": 1}]}]
    return "\n".join(json.dumps(b, ensure_ascii=False) for b in out) + "\n"


def _history(members):
    """History before the file: a member near an upgrade, another with older sales."""
    for i, (member, amount) in enumerate([(members[0], "1400.00"), (members[1], "600.00"), (members[1], "2500.00")]):
        sale_post(actor=None, data={"store": "SA01", "receipt_no": f"H{i}", "occurred_at": _when(20 + i, 0), "member": {"member_no": member.member_no},
                                    "lines": [{"line_no": 1, "sku": "OLD", "unit_price": amount, "quantity": 1, "amount": amount}],
                                    "amount_paid": amount, "payments": [{"method": "cash", "amount": amount}]})


def _first_difference(ours, theirs):
    if isinstance(ours, dict):
        return next(((k, ours.get(k), theirs.get(k)) for k in sorted(set(ours) | set(theirs), key=repr) if ours.get(k) != theirs.get(k)), None)
    return next(((i, a, b) for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), (len(ours), len(theirs)))


def _both(data: str):
    """The file imported receipt by receipt and set-based (each twice, then rolled back): their effects compared."""
    (till_counts, till_report, by_till), (till_again, till_report2, _n), till = _effects_of(data, set_based=False)
    (counts, report, set_based), (again, report2, _m), bulk = _effects_of(data, set_based=True)
    assert (counts, report, again, report2) == (till_counts, till_report, till_again, till_report2)  # counts and row reports
    assert by_till == 0
    for key in till:
        assert bulk[key] == till[key], f"{key}: {_first_difference(bulk[key], till[key])!r}"
    assert counts[0] > 20 and again[0] == 0 and again[1] == counts[0] + counts[1]  # the second run: replays only
    return counts, set_based, bulk


def _earn_rules(hq):
    """Points rules beyond the base rate: clothing ×2, cosmetics earn nothing, SILVER ×1.5, double points from two days ago."""
    since, until = (timezone.localdate() - dt.timedelta(days=2)).isoformat(), (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    for data in ({"kind": "category", "category": "服装", "multiplier": "2"}, {"kind": "exclusion", "category": "化妆品"},
                 {"kind": "tier", "level_code": "SILVER", "multiplier": "1.5"},
                 {"kind": "campaign", "name": "双倍积分", "multiplier": "2", "starts_on": since, "ends_on": until}):
        earn_rule_save(actor=hq, data=data)


def _coupon_rules(*, total_limit=None):
    """满300送60 adding up the day (cosmetics excluded, at most 6 per member), an A券 per 1,000 of one receipt,
    and two 100-yuan coupons on reaching SILVER or GOLD."""
    campaign_save(actor=None, data={"code": "B60", "name": "B券", "kind": "gift", "face_value": "60.00", "valid_days": 30,
                                    "per_member_limit": 6, **({"total_limit": total_limit} if total_limit else {})})
    rule_save(actor=None, data={"campaign": "B60", "trigger": "sale", "step_amount": "300.00", "excluded_categories": ["化妆品"]})
    campaign_save(actor=None, data={"code": "A50", "name": "A券", "kind": "voucher", "face_value": "50.00", "valid_days": 10})
    rule_save(actor=None, data={"campaign": "A50", "trigger": "sale", "step_amount": "1000.00", "accumulate_daily": False,
                                "paid_methods": ["wechat", "alipay"]})
    campaign_save(actor=None, data={"code": "U100", "name": "升级礼券", "kind": "voucher", "face_value": "100.00", "valid_days": 60})
    rule_save(actor=None, data={"campaign": "U100", "trigger": "upgrade", "coupons_per_step": 2, "level_codes": ["SILVER", "GOLD"]})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_set_based_import_equals_posting_each_receipt(shoppers, seed):
    members, cards = shoppers
    subscription_create(actor=None, data={"name": "ERP", "url": "https://erp.example.com/h", "events": EVENTS})
    _history(members)
    data, bodies = random_file(seed, members, cards)
    counts, set_based, bulk = _both(data + _returns(bodies))
    assert set_based > counts[0] // 2  # most receipts took the set-based path
    assert bulk["history"] and bulk["care"] and bulk["entries"] and bulk["events"]
    assert any(h[3] == "upgrade" and (h[5] or "").startswith("Q") for h in bulk["history"])  # upgraded mid-file
    returned = {s[0] for s in bulk["sales"] if s[1] == "sale" and s[11] > 0}
    assert {"RX1", "RX2"} <= {s[0] for s in bulk["sales"]} and len(returned) >= 2  # returns matched to originals of the file


@pytest.mark.parametrize("seed", [4, 5])
def test_coupon_rules_issue_the_same_coupons_set_based(shoppers, hq, seed):
    """With points multipliers and exclusions in force: sale rules (the day added up, per-member limit, excluded goods, tenders counted; one receipt alone) and
    upgrade rules issue from the set-based path exactly what the till issues — results, coupons, events."""
    members, cards = shoppers
    subscription_create(actor=None, data={"name": "ERP", "url": "https://erp.example.com/h", "events": EVENTS})
    _coupon_rules(total_limit=10_000)
    _earn_rules(hq)
    _history(members)
    data, _bodies = random_file(seed, members, cards)
    counts, set_based, bulk = _both(data)
    assert set_based > counts[0] // 2
    issued = [c for c in bulk["coupons"] if (c[8] or "").startswith("Q")]  # earned by the file's receipts
    assert {c[1] for c in issued} >= {"B60", "A50"} and any(c[1] == "U100" for c in bulk["coupons"])
    assert any(t == "coupon.issued" for events in bulk["events"].values() for t, _d in events)


def test_a_campaign_running_out_mid_file_goes_to_the_same_receipts(shoppers):
    """A total limit reached in the middle of the file: the set-based path, in file order, gives the last coupons
    to the receipts the till gives them to."""
    members, cards = shoppers
    _coupon_rules(total_limit=12)
    data, _bodies = random_file(6, members, cards, odd=False)
    counts, set_based, bulk = _both(data)
    assert set_based == counts[0]  # nothing went to the till
    assert ("B60", 12) in bulk["campaigns"]


def test_a_campaign_running_out_while_the_till_also_issues_falls_back(shoppers):
    """Both paths issuing from a campaign that runs out: its last coupons depend on the order of receipts across
    the two paths, so the chunk is posted receipt by receipt — same effects as the till."""
    members, cards = shoppers
    _coupon_rules(total_limit=12)
    _history(members)
    data, _bodies = random_file(7, members, cards)
    counts, set_based, bulk = _both(data)
    assert set_based == 0
    assert ("B60", 12) in bulk["campaigns"]

