"""The set-based posting of a chunk of receipts (issue 17 §2): what `sale_post` does one receipt at a
time, done for thousands in a handful of statements, with the same effects.

Per chunk, inside the caller's transaction (services.run_receipts):
1. every sale is checked as the till's own `clean_sale` checks it (same refusals, same content hash):
   a plain file row by fileclean.py, anything else by clean_sale itself;
2. receipts already posted are found in one query: same content → a replay, other content →
   `receipt_conflict` (the same message as the till); a receipt twice in the chunk likewise;
3. members are found set-based by card number, mobile or member number (one query each);
4. the receipts the set-based path does not take are posted by the till, one by one, in file
   order: returns, sales paid with points / coupons / stored value, e-cards, a member not found
   or refused (the till gives the refusal), and *every* receipt of a member who has one of those
   in the chunk, or a points debt — so a member's receipts are never split between the two paths;
5. the members are locked in one order (member rows, tier rows, points accounts, coupon campaigns,
   by id); the tier, the points and the coupons of each sale are evaluated in file order as the
   till would (bulk_loyalty.py, bulk_coupons.py), with the sales' ids reserved beforehand; then each
   sale is written once, with its result (what a replay answers), by COPY with its lines and
   payments, and the lots, entries, coupons and the members' totals in bulk;
6. care runs in waves of care moments (bulk_care.py), each wave's members on their own business
   dates in one statement per rule (care.bulk), and the webhooks events the till emits (tier.changed, coupon.issued, care_task.created, sale.posted) are
   recorded per sale, in order.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils.translation import gettext as _

from vipdesk.core import limits, parsing
from vipdesk.core.clock import business_date
from vipdesk.core.errors import DomainError
from vipdesk.coupons.models import Campaign
from vipdesk.members.choices import CardStatus, IdentifiedBy, MemberStatus
from vipdesk.members.models import Card, Member
from vipdesk.org.scoping import posting_store
from vipdesk.points.ledger import policy
from vipdesk.points.models import EarnRule
from vipdesk.sales.choices import PaymentMethod, SaleKind
from vipdesk.sales.models import Sale, SaleLine, SalePayment
from vipdesk.tiers.programme import active_programme, load
from vipdesk.till.services import _actor_columns, _known, _result, _tier
from vipdesk.till.validation import clean_sale
from vipdesk.tiers.services import TierOutcome
from vipdesk.wallet.ledger import balance_dict
from vipdesk.wallet.models import WalletAccount

from . import bulk_coupons, bulk_loyalty as loyalty, copying
from .bulk_care import settle
from .bulk_coupons import Issuer
from .fileclean import FileCleaner

MONEY_METHODS = frozenset({PaymentMethod.CASH, PaymentMethod.BANK_CARD, PaymentMethod.WECHAT, PaymentMethod.ALIPAY, PaymentMethod.OTHER})
HOW = {"card": IdentifiedBy.CARD, "mobile": IdentifiedBy.MOBILE, "member_no": IdentifiedBy.MEMBER_NO}


class _Item:
    __slots__ = ("receipt", "posting", "member", "card", "how", "sale", "day")

    def __init__(self, receipt, posting):
        self.receipt, self.posting = receipt, posting
        self.member = self.card = self.sale = self.day = None
        self.how = IdentifiedBy.NONE


def _rank(level) -> int:
    return level.rank if level is not None else 0


def _resolve(items: list[_Item]) -> set[str]:
    """Members by card, mobile, member number: one query per way. The refs not found cleanly (an
    unknown or unusable card, a withdrawn member, two members with one mobile) are returned: the
    till refuses or accepts them itself."""
    wanted = defaultdict(set)
    for item in items:
        if item.posting.member_ref:
            key, value = next(iter(item.posting.member_ref.items()))
            wanted[key].add(value)
    found: dict[tuple, tuple] = {}
    if wanted.get("card"):
        for card in Card.objects.filter(number__in=wanted["card"]).select_related("member"):
            ok = card.status == CardStatus.ACTIVE and card.member.status != MemberStatus.WITHDRAWN
            found[("card", card.number)] = (card.member, card) if ok else None
    for key in ("mobile", "member_no"):
        if wanted.get(key):
            seen = defaultdict(list)
            for member in Member.objects.filter(**{f"{key}__in": wanted[key]}):
                seen[getattr(member, key)].append(member)
            for value, members in seen.items():
                ok = len(members) == 1 and members[0].status != MemberStatus.WITHDRAWN
                found[(key, value)] = (members[0], None) if ok else None
    slow_refs = set()
    for item in items:
        if not item.posting.member_ref:
            continue
        key, value = next(iter(item.posting.member_ref.items()))
        got = found.get((key, value)) if key in HOW else None
        if got is None:
            slow_refs.add((key, value))
            continue
        item.member, item.card = got
        item.how = HOW[key]
    return slow_refs


class _Stores:
    """posting_store remembered per store code for a chunk (the till asks the database for every
    receipt): the same store, or the same problems added to the receipt's."""

    def __init__(self):
        self.seen = {}

    def __call__(self, actor, code, errors):
        key = code if isinstance(code, str) else None
        if key in self.seen:
            store, fields = self.seen[key]
            errors.extend(fields)
            return store
        probe = parsing.Problems()
        store = posting_store(actor, code, probe)
        if key is not None:
            self.seen[key] = (store, probe.fields)
        errors.extend(probe.fields)
        return store


def _clean(receipts, actor, outcome, refuse) -> tuple[list[_Item], list]:
    """(sales the set-based path may take, receipts for the till) — refused ones are reported here."""
    items, slow, stores = [], [], _Stores()
    plain = FileCleaner(actor=actor, store_of=stores)  # clean_sale's posting for a plain file row; None: clean_sale decides
    for receipt in receipts:
        if receipt.errors:
            outcome.failed += 1
            continue
        if receipt.kind != "sale":
            slow.append(receipt)
            continue
        try:
            posting = plain(receipt.data) or clean_sale(actor=actor, data=receipt.data, store_of=stores)
        except DomainError as exc:
            refuse(receipt, exc)
            outcome.failed += 1
            continue
        items.append(_Item(receipt, posting))
    return items, slow


def _replays(items: list[_Item], outcome, refuse) -> list[_Item]:
    """Drop the receipts already posted (a replay, or a conflict) — in the database or earlier in the chunk."""
    keys = defaultdict(set)
    for item in items:
        keys[item.posting.store.pk].add(item.posting.receipt_no)
    done = {}
    for store_id, numbers in keys.items():
        if connection.vendor == "postgresql":  # one array parameter, not thousands of placeholders to build and plan
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT receipt_no, content_hash FROM {Sale._meta.db_table} WHERE store_id = %s"
                               f" AND receipt_no = ANY(%s::text[])", [store_id, sorted(numbers)])
                found = cursor.fetchall()
        else:
            found = Sale.objects.filter(store_id=store_id, receipt_no__in=numbers).values_list("receipt_no", "content_hash")
        for no, content in found:
            done[(store_id, no)] = content
    fresh = []
    for item in items:
        key = (item.posting.store.pk, item.posting.receipt_no)
        content = done.get(key)
        if content is None:
            done[key] = item.posting.content_hash
            fresh.append(item)
        elif content == item.posting.content_hash:
            outcome.replayed += 1
        else:
            refuse(item.receipt, DomainError(_("Receipt %(no)s of this store was already posted with different content.")
                                             % {"no": item.posting.receipt_no}, code="receipt_conflict", status=409))
            outcome.failed += 1
    return fresh


def split(receipts, *, actor, outcome, refuse) -> tuple[list[_Item], list]:
    """The chunk's receipts as (sales for the set-based path, receipts for the till), in file order."""
    items, slow = _clean(receipts, actor, outcome, refuse)
    items = _replays(items, outcome, refuse)
    slow_refs = _resolve(items)
    originals = {(r.data.get("original", {}).get("store") or r.data.get("store"), r.data.get("original", {}).get("receipt_no"))
                 for r in slow if r.kind == "return" and isinstance(r.data.get("original"), dict)}
    slow_members = set()
    for store_code, no in originals:  # the member of a returned sale posts receipt by receipt
        slow_members.update(Sale.objects.filter(store__code=store_code, receipt_no=no).exclude(member=None)
                            .values_list("member_id", flat=True))
    for item in items:
        p = item.posting
        odd = (any(pay["method"] not in MONEY_METHODS for pay in p.payments) or (p.member_ref and item.member is None)
               or (p.store.code, p.receipt_no) in originals)
        if odd and item.member is not None:
            slow_members.add(item.member.pk)
        item.receipt._odd = odd
    fast, rest = [], []
    for item in items:
        if item.receipt._odd or (item.member is not None and item.member.pk in slow_members):
            rest.append(item.receipt)
        else:
            fast.append(item)
    order = {id(r): i for i, r in enumerate(receipts)}
    return fast, sorted(rest + slow, key=lambda r: order[id(r)])


@functools.cache
def _makers() -> dict:
    return {model: copying.Maker(model) for model in (Sale, SaleLine, SalePayment)}


def _build_sales(items: list[_Item], actor, *, related: bool) -> None:
    """The sales, lines and payments of `items` as objects, each sale's `_lines` / `_payments` at hand
    (and behind `sale.lines.all()` / `sale.payments.all()` when `related`: the coupon rules read them).
    With COPY (PostgreSQL) their ids are reserved and nothing is written yet: each sale goes in once,
    with its result (`_write_sales`); elsewhere they are inserted now and the results stored after."""
    make = _makers()
    make_sale, make_line, make_payment = make[Sale], make[SaleLine], make[SalePayment]
    by = {f"{name}_id": obj.pk for name, obj in _actor_columns(actor).items()}
    by_cache = dict(_actor_columns(actor))
    sales = []
    for item in items:
        p = item.posting
        cache = {"store": p.store, "member": item.member, "card": item.card, "guide": p.guide, **by_cache}
        item.sale = make_sale({
            "kind": SaleKind.SALE, "store_id": p.store.pk, "terminal": p.terminal, "receipt_no": p.receipt_no,
            "occurred_at": p.occurred_at, "business_date": item.day, "member_id": getattr(item.member, "pk", None),
            "card_id": getattr(item.card, "pk", None), "identified_by": item.how, "guide_id": getattr(p.guide, "pk", None),
            "amount": p.amount, "amount_paid": p.amount_paid, "content_hash": p.content_hash, **by}, cache)
        sales.append(item.sale)
    copy = copying.copies()
    if copy:
        copying.reserve(Sale, sales)
    else:
        copying.insert(Sale, sales)
    lines, payments = [], []
    for item in items:
        sale = item.sale
        cache = {"sale": sale}
        sale._lines = [make_line({**line, "sale_id": sale.pk}, cache) for line in item.posting.lines]
        sale._payments = [make_payment({**pay, "sale_id": sale.pk}, cache) for pay in item.posting.payments]
        lines += sale._lines
        payments += sale._payments
    if copy:
        copying.reserve(SaleLine, lines)  # a points entry names its lines (the weights)
    else:
        copying.insert(SaleLine, lines)
        copying.insert(SalePayment, payments)
    if related:
        for sale in sales:
            _known(sale, lines=sale._lines, payments=sale._payments)


def _write_sales(items: list[_Item], results: dict[int, dict]) -> None:
    """Each sale with its result: COPY of the sales, lines and payments (PostgreSQL), else the results stored."""
    for item in items:
        item.sale.result = results[item.sale.pk]
    if not copying.copies():
        _store_results(results)
        return
    copying.write(Sale, [item.sale for item in items])
    copying.write(SaleLine, [line for item in items for line in item.sale._lines])
    copying.insert(SalePayment, [pay for item in items for pay in item.sale._payments])


def _member_totals(items: list[_Item]) -> None:
    """Member.total_spend and last_purchase_at as the till's _member_spent moves them, summed per member:
    one statement on PostgreSQL, one UPDATE per member elsewhere."""
    spent, last = defaultdict(lambda: Decimal("0.00")), {}
    for item in items:
        pk = item.member.pk
        spent[pk] += item.sale.amount
        last[pk] = max(last.get(pk, item.sale.occurred_at), item.sale.occurred_at)
    ids = sorted(spent)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {Member._meta.db_table} m SET total_spend = LEAST(m.total_spend + v.spent, %s),"
                           f" last_purchase_at = GREATEST(COALESCE(m.last_purchase_at, v.at), v.at)"
                           f" FROM unnest(%s::bigint[], %s::numeric[], %s::timestamptz[]) AS v(id, spent, at) WHERE m.id = v.id",
                           [limits.TOTAL_SPEND_MAX, ids, [spent[pk] for pk in ids], [last[pk] for pk in ids]])
        return
    for pk in ids:
        at = Value(last[pk])
        Member.objects.filter(pk=pk).update(total_spend=Least(F("total_spend") + spent[pk], Value(limits.TOTAL_SPEND_MAX)),
                                            last_purchase_at=Greatest(Coalesce(F("last_purchase_at"), at), at))


def _store_results(results: dict[int, dict]) -> None:
    for pk, result in results.items():
        Sale.objects.filter(pk=pk).update(result=result)


def post_sales(items: list[_Item], *, actor) -> list[int]:
    """Write the sales of `items` and all their loyalty effects (the caller's transaction). Answers the
    campaigns with a total limit, not reached before, that the chunk issued from (see `ran_out`)."""
    if not items:
        return []
    for item in items:
        item.day = business_date(item.posting.occurred_at, item.posting.store)
    members = [item for item in items if item.member is not None]
    member_ids = sorted({item.member.pk for item in members})
    if member_ids:  # the first lock, as the till's: the member rows, in id order
        list(Member.objects.select_for_update().filter(pk__in=member_ids).order_by("pk").values_list("pk", flat=True))
    state = _read_state(members, member_ids)  # before the chunk's sales are in: they join one by one
    _build_sales(items, actor, related=state[2] is not None)
    results, done = {}, None
    if members:
        results, done = _loyalty(members, member_ids, state)
    for item in items:
        if item.sale.pk not in results:
            results[item.sale.pk] = _result(item.sale, {"points": None, "tier": None, "benefits": [], "coupons_earned": []},
                                            coupons_used=[])
    _write_sales(items, results)
    if not members:
        return []
    _member_totals(members)
    done()
    return state[2].open_limits() if state[2] is not None else []


def ran_out(campaign_ids: list[int]) -> bool:
    """Whether one of these campaigns has now issued its total."""
    return bool(campaign_ids) and Campaign.objects.filter(pk__in=campaign_ids, total_limit__isnull=False,
                                                          issued_count__gte=F("total_limit")).exists()


def _read_state(items: list[_Item], member_ids: list[int]):
    programme = active_programme()
    loaded = load(programme) if programme is not None else None
    histories = {pk: loyalty.History() for pk in member_ids}
    days = sorted({i.day for i in items})
    if loaded is not None and items:
        need = loyalty.engine.needs(loaded.rules)
        first, last = loyalty.window_span(days, need)
        histories = loyalty.read_histories(member_ids, first_day=first, last_day=last, need=need)
    return loaded, histories, Issuer.read(member_ids, days) if items else None


def _loyalty(items: list[_Item], member_ids: list[int], state):
    """Evaluate the members' sales in file order: (their results, the function that writes the rest)."""
    loaded, histories, coupons = state
    tiers, approved = {}, {}
    if loaded is not None:
        tiers = loyalty.lock_tiers(member_ids, loaded)
        if loyalty.needs_approvals(loaded.rules):
            approved = loyalty.approved_levels(member_ids)
    accounts = loyalty.lock_accounts(member_ids)
    if any(a.debt for a in accounts.values()):
        raise loyalty.Fallback
    if coupons is not None:
        coupons.lock()
    evaluator = loyalty.Evaluator(loaded=loaded, histories=histories, tiers=tiers, accounts=accounts, approved=approved, pol=policy(),
                                  earn_rules=list(EarnRule.objects.filter(active=True)))
    stored = _stored_values(member_ids)
    benefits, results = {}, {}
    for item in items:
        sale = item.sale
        before, after, gated = evaluator.tier(sale)
        points, pending = evaluator.earn(sale, after)
        level_code = getattr(after, "code", None)
        sale._coupons = []
        if coupons is not None:
            sale._coupons = coupons.for_sale(sale, level_code=level_code,
                                             upgraded=after is not None and after != before and _rank(after) > _rank(before))
        if loaded is not None:
            if after not in benefits:
                benefits[after] = loyalty.benefits_of(after)
            outcome = TierOutcome(before, after, after != before, benefits[after], gated)
        else:
            outcome = TierOutcome(None, None, False, [])
        tier, perks = _tier(outcome)
        balance = evaluator.accounts[sale.member_id].balance
        results[sale.pk] = _result(sale, {
            "points": {"earned": int(points), "pending": bool(pending), "spent": 0, "balance": int(balance), "points_debt": 0},
            "tier": tier, "benefits": perks, "stored_value": stored[sale.member_id],
            "coupons_earned": bulk_coupons.answer(sale._coupons),
        }, coupons_used=[])

    def done() -> None:
        loyalty.write_points(evaluator)
        if coupons is not None:
            coupons.write()
        settle([item.sale for item in items], tiers=loaded is not None)  # tier history, care, webhooks events, in the till's order
        loyalty.write_tiers(evaluator)

    return results, done


def _stored_values(member_ids: list[int]) -> dict[int, dict]:
    """wallet.ledger.balance_dict of each member (what the till's result shows), asked only for those with an account."""
    holders = set(WalletAccount.objects.filter(member_id__in=member_ids).values_list("member_id", flat=True))
    none = balance_dict(0)  # no account: zeros, as the till shows them
    return {pk: balance_dict(pk) if pk in holders else dict(none) for pk in member_ids}
