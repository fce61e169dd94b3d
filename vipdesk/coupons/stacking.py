"""Which coupons one order may take together, and the best of a member's coupons under those rules
(issue 13 §15). Pure functions over campaigns, coupons and priced lines (terms.Line), no database:
the quote (pricing.engine) and every sale paid with coupons (services.coupons_use_for_sale) call them.

The rules, all data:
- per campaign: `combines_with` none / same_kind / any — two coupons share an order only when each
  allows the other; `max_per_order` coupons of it on one order (1 by default); `spend_per_coupon` —
  n coupons of it need n × that of the goods they apply to (B券: one ¥60 per ¥300), besides the
  campaign's `threshold`;
- per order (CouponPolicy): at most `max_coupons` coupons, together paying at most
  `max_share_percent` of the order (the goods total, rounded down to the fen);
- a coupon pays only for the goods it applies to, each yuan of goods once: two T-shirt coupons never
  pay more than the T-shirts (a maximum flow from coupons to goods decides what a set can pay).

The best combination (`best`): the most the member saves; of equal savings, the fewest coupons; then
larger coupons and those expiring sooner first. Exact, by branch and bound:
1. coupons of one campaign are alike: only the first n (largest, soonest to expire) can be useful,
   n bounded by the campaign's limit, its goods per coupon, the order's limit and the goods
   themselves — the others are left out at once, with that reason;
2. "combines with" splits the campaigns into families inside which any subset is allowed: every
   campaign combining with any coupon; per kind, the campaigns of that kind combining with any or
   with their own kind (when one of them is "same kind only"); and each "none" campaign alone;
3. inside a family, campaigns over the same goods are merged (what r of their coupons pay is the
   r largest allowances, up to those goods), and the search takes 0…n coupons of each merged group,
   largest first, pruned by an upper bound — the largest marginals still available, the share cap
   and the family's goods — and, at equal savings, by the fewest coupons still needed.
The search is bounded by STEP_BUDGET visits; past it the answer is the best found and `exact` is false
(never seen in the tests, the property test or the benchmark).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

from vipdesk.core.money import format_money, quantize

from . import terms
from .choices import CombinesWith, CouponKind

ZERO = Decimal("0.00")
STEP_BUDGET = 20_000
FAR = dt.date.max

# reason codes: the same for a coupon left out by "best" and for a refusal of named coupons
NOT_COMBINABLE = "coupon_not_stackable"
CAMPAIGN_LIMIT = "coupon_campaign_limit"
SPEND_PER_COUPON = "coupon_spend_per_coupon"
ORDER_LIMIT = "coupon_order_limit"
SHARE_CAP = "coupon_share_cap"
GOODS_COVERED = "coupon_goods_covered"


@dataclass(frozen=True)
class Policy:
    """The order's limits (CouponPolicy as the pure functions see it)."""

    max_coupons: int = 5
    max_share_percent: Decimal = Decimal("100.00")

    @classmethod
    def of(cls, row) -> Policy:
        return cls(row.max_coupons_per_order, row.max_share_percent)


@dataclass
class Choice:
    used: list = field(default_factory=list)  # [(coupon, amount)] in the order they pay
    left_out: list = field(default_factory=list)  # [(coupon, reason code, why)]
    allowances: dict = field(default_factory=dict)  # coupon code → the most it could pay here
    cap: Decimal = ZERO  # the most coupons may pay on this order
    capped: set = field(default_factory=set)  # codes of the coupons whose amount the share cap cut
    steps: int = 0
    exact: bool = True


def share_cap(total: Decimal, policy: Policy) -> Decimal:
    return quantize(total * policy.max_share_percent / 100, ROUND_DOWN)


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _fen(value: Decimal) -> int:
    return int(value * 100)


def _yuan(fen: int) -> Decimal:
    return quantize(Decimal(fen) / 100)


# ---- what a campaign's coupon pays for ------------------------------------------------------------

def paid_lines(campaign, lines) -> frozenset:
    """The lines a coupon of the campaign pays for: its scope; an exchange coupon, the item it gives."""
    if campaign.kind == CouponKind.EXCHANGE:
        return frozenset(i for i, line in enumerate(lines) if line.sku == campaign.exchange_sku and line.quantity > 0)
    return frozenset(i for i, line in enumerate(lines) if terms.in_scope(campaign, line))


def allows(a, b) -> bool:
    """May a coupon of campaign `a` share an order with one of campaign `b`, as far as `a` says?"""
    if a.combines_with == CombinesWith.ANY:
        return True
    return a.combines_with == CombinesWith.SAME_KIND and a.kind == b.kind


def combinable(a, b) -> bool:
    return allows(a, b) and allows(b, a)


# ---- the words --------------------------------------------------------------------------------

def why_campaign_limit(campaign) -> str:
    return _("%(name)s: at most %(n)d per order.") % {"name": campaign.name, "n": campaign.max_per_order}


def why_spend(campaign, eligible: Decimal) -> str:
    n = int(eligible // campaign.spend_per_coupon)
    return (_("%(name)s: one coupon per %(step)s of the goods it applies to; this order has %(eligible)s of them, "
              "enough for %(n)d.") % {"name": campaign.name, "step": format_money(campaign.spend_per_coupon), "eligible": format_money(eligible), "n": n})


def why_order_limit(policy: Policy) -> str:
    return _("At most %(n)d coupons per order.") % {"n": policy.max_coupons}


def why_share(policy: Policy, cap: Decimal) -> str:
    return _("Coupons pay at most %(share)s%% of the order (%(cap)s).") % {"share": _num(policy.max_share_percent), "cap": format_money(cap)}


def why_not_combinable(campaign, other) -> str:
    if campaign.combines_with == CombinesWith.NONE or other is None:
        return _("%(name)s cannot be combined with other coupons.") % {"name": campaign.name}
    return _("%(name)s cannot be combined with %(other)s.") % {"name": campaign.name, "other": other.name}


def why_covered(campaign) -> str:
    return _("The goods %(name)s applies to are already paid by the other coupons.") % {"name": campaign.name}


def why_not_applicable(campaign, lines) -> tuple[str, str]:
    eligible = terms.eligible_amount(campaign, lines)
    if eligible > 0 and eligible < campaign.threshold:
        return "coupon_threshold", (_("%(name)s needs %(threshold)s of the goods it applies to; this order has %(eligible)s.")
                                    % {"name": campaign.name, "threshold": format_money(campaign.threshold), "eligible": format_money(eligible)})
    return "coupon_scope", _("%(name)s applies to none of these goods.") % {"name": campaign.name}


def why_unusable(coupon, code: str, message: str) -> str:
    """A refusal of terms.check_usable in words about the campaign, so the coupons it shares group together."""
    campaign = coupon.campaign
    words = {
        "coupon_store": lambda: _("%(name)s cannot be used in this store.") % {"name": campaign.name},
        "coupon_level": lambda: _("%(name)s is for members of other levels.") % {"name": campaign.name},
        "coupon_not_yet_valid": lambda: _("%(name)s: valid from %(day)s.") % {"name": campaign.name, "day": coupon.valid_from},
        "coupon_blackout": lambda: _("Coupons of %(name)s cannot be used today.") % {"name": campaign.name},
    }
    if code == "coupon_not_usable" and not campaign.active:
        return _("The campaign %(name)s has been stopped.") % {"name": campaign.name}
    return words[code]() if code in words else message


def _refuse(coupon, code: str, reason: str):
    return terms.CouponRefused(_("Coupon %(code)s: %(reason)s") % {"code": terms._shown(coupon.code), "reason": reason}, code=code)


# ---- the rules on a given set -------------------------------------------------------------------

def check_rules(coupons, lines, policy: Policy) -> None:
    """Refuse named coupons that may not go together (the quote's given codes, a sale's coupon tenders)."""
    seen = {}
    for coupon in coupons:
        for other in coupons:
            if other.campaign.code != coupon.campaign.code and not combinable(coupon.campaign, other.campaign):
                culprit, partner = (coupon, other) if not allows(coupon.campaign, other.campaign) else (other, coupon)
                raise _refuse(culprit, NOT_COMBINABLE, why_not_combinable(culprit.campaign, partner.campaign))
        seen.setdefault(coupon.campaign.code, []).append(coupon)
    for group in seen.values():
        campaign = group[0].campaign
        if len(group) > campaign.max_per_order:
            raise _refuse(group[-1], CAMPAIGN_LIMIT, why_campaign_limit(campaign))
        if campaign.spend_per_coupon > 0:
            eligible = sum((lines[i].amount for i in paid_lines(campaign, lines)), ZERO)
            if len(group) * campaign.spend_per_coupon > eligible:
                raise _refuse(group[-1], SPEND_PER_COUPON, why_spend(campaign, eligible))
    if len(coupons) > policy.max_coupons:
        raise terms.CouponRefused(_("At most %(n)d coupons per order; %(given)d were given.")
                                  % {"n": policy.max_coupons, "given": len(coupons)}, code=ORDER_LIMIT)


def check_tenders(tenders, lines, *, total: Decimal, policy: Policy) -> None:
    """A sale's coupon tenders [(coupon, amount)] (each already within its allowance): the rules, the
    share cap, and the goods — together they pay no more than the goods they apply to."""
    check_rules([c for c, _a in tenders], lines, policy)
    paid = sum((a for _c, a in tenders), ZERO)
    cap = share_cap(total, policy)
    if paid > cap:
        raise terms.CouponRefused(_("Coupons pay at most %(share)s%% of the order (%(cap)s); these would pay %(paid)s.")
                                  % {"share": _num(policy.max_share_percent), "cap": format_money(cap), "paid": format_money(paid)}, code=SHARE_CAP)
    units, index = [], {}
    for coupon, amount in tenders:
        key = coupon.campaign.code
        if key not in index:
            index[key] = len(units)
            units.append([coupon, paid_lines(coupon.campaign, lines), 0])
        units[index[key]][2] += _fen(amount)
    flow = _Flow([u[1] for u in units], lines)
    pays = flow.split([u[2] for u in units])
    for (coupon, _lines, asked), got in zip(units, pays):
        if got < asked:
            raise _refuse(coupon, GOODS_COVERED, why_covered(coupon.campaign))


# ---- what a set of coupons pays: a maximum flow from coupons to goods ----------------------------

class _Paid:
    """A maximum flow so far: what each source pays (`out`), along which edges (`edge`), what each
    class of lines has left (`left`), and in all (`total`)."""

    __slots__ = ("out", "edge", "left", "total")

    def __init__(self, out: dict, edge: dict, left: list, total: int):
        self.out, self.edge, self.left, self.total = out, edge, left, total


class _Flow:
    """Sources (coupons, or groups of them) each paying for a set of lines up to a capacity: the most
    they pay together and what each pays, as a maximum flow from sources to lines (lines with the same
    sources are one node). Sources are added one at a time (`add`): the flow so far stays maximal, a
    new source only gets what augmenting paths from it find, and what earlier sources pay in all never
    drops — so earlier sources are served first, and the search extends a parent's flow, not redoes it."""

    def __init__(self, line_sets: list, lines):
        classes: dict = {}
        for i, line in enumerate(lines):
            key = tuple(n for n, s in enumerate(line_sets) if i in s)
            if key:
                classes[key] = classes.get(key, 0) + _fen(line.amount)
        self.class_caps = list(classes.values())
        self.reach = [[c for c, key in enumerate(classes) if n in key] for n in range(len(line_sets))]
        self.goods = [sum(self.class_caps[c] for c in self.reach[n]) for n in range(len(line_sets))]
        self.union = sum(self.class_caps)
        sets = [frozenset(r) for r in self.reach]
        self.disjoint = all(not (a & b) for i, a in enumerate(sets) for b in sets[i + 1:])

    def empty(self) -> _Paid:
        return _Paid({}, {}, list(self.class_caps), 0)

    def add(self, paid: _Paid, source: int, cap: int) -> _Paid:
        cap = min(cap, self.goods[source])
        if cap <= 0:
            return paid
        if self.disjoint:  # nothing shared: the source pays all it may
            return _Paid({**paid.out, source: cap}, paid.edge, paid.left, paid.total + cap)
        out, left = dict(paid.out), list(paid.left)
        edge = {s: dict(e) for s, e in paid.edge.items()}
        out[source], edge[source] = 0, {}
        while out[source] < cap:
            # breadth-first from the new source, through classes, and back along paid edges to other sources
            came_src, came_cls = {source: None}, {}
            queue, head, end = [source], 0, None
            while head < len(queue) and end is None:
                s = queue[head]
                head += 1
                for c in self.reach[s]:
                    if c in came_cls:
                        continue
                    came_cls[c] = s
                    if left[c] > 0:
                        end = c
                        break
                    for t, e in edge.items():
                        if t not in came_src and e.get(c, 0) > 0:
                            came_src[t] = c
                            queue.append(t)
            if end is None:
                break
            forward, backward, c = [], [], end
            while True:  # class ← source (forward) ← class (back along a paid edge) ← … ← the new source
                s = came_cls[c]
                forward.append((s, c))
                c = came_src[s]
                if c is None:
                    break
                backward.append((s, c))
            amount = min([left[end], cap - out[source]] + [edge[s][c] for s, c in backward])
            for s, c in forward:
                edge[s][c] = edge[s].get(c, 0) + amount
            for s, c in backward:
                edge[s][c] -= amount
            out[source] += amount
            left[end] -= amount
        return _Paid(out, edge, left, paid.total + out[source])

    def split(self, caps: list) -> list:
        """What each source pays, sources added in order."""
        paid = self.empty()
        for source, cap in enumerate(caps):
            paid = self.add(paid, source, cap)
        return [paid.out.get(s, 0) for s in range(len(caps))]


# ---- the coupons named by the cashier --------------------------------------------------------------

def given(coupons, lines, *, total: Decimal, policy: Policy) -> Choice:
    """Coupons named for this order, in the order named: refused with a code when one does not apply,
    when they break a rule, or when one would pay nothing (the goods or the share already paid)."""
    choice = Choice(cap=share_cap(total, policy))
    if not coupons:
        return choice
    allowed = []
    for coupon in coupons:
        allowance = terms.allowance(coupon.campaign, lines, face_value=coupon.face_value)
        if allowance <= 0:
            terms.check_amount(coupon, lines, ZERO)
        allowed.append(allowance)
        choice.allowances[coupon.code] = allowance
    check_rules(coupons, lines, policy)
    pays = _Flow([paid_lines(c.campaign, lines) for c in coupons], lines).split([_fen(a) for a in allowed])
    for coupon, fen in zip(coupons, pays):
        if fen <= 0:
            raise _refuse(coupon, GOODS_COVERED, why_covered(coupon.campaign))
    _settle(choice, list(zip(coupons, pays)), policy)
    for coupon, amount in choice.used:
        if amount <= 0:
            raise _refuse(coupon, SHARE_CAP, why_share(policy, choice.cap))
    return choice


def _settle(choice: Choice, paying: list, policy: Policy) -> None:
    """Amounts in yuan, the share cap taken off the last coupons first."""
    over = sum(f for _c, f in paying) - _fen(choice.cap)
    settled = []
    for coupon, fen in reversed(paying):
        if over > 0 and fen > 0:
            cut = min(over, fen)
            fen, over = fen - cut, over - cut
            choice.capped.add(coupon.code)
        settled.append((coupon, _yuan(fen)))
    choice.used = list(reversed(settled))


# ---- the best combination ------------------------------------------------------------------------

class _Group:
    """Coupons of one or more campaigns over the same goods, in the order they would be used."""

    def __init__(self, items: list, lines_paid: frozenset, goods: int, most: int):
        self.items = items  # [(allowance fen, coupon)]
        self.lines = lines_paid
        self.goods = goods
        paid, self.values = 0, [0]
        for allowance, _c in items[:most]:
            if self.values[-1] >= goods:
                break
            paid += allowance
            self.values.append(min(paid, goods))
        self.most = len(self.values) - 1
        self.marginals = [b - a for a, b in zip(self.values, self.values[1:])]


def _order_key(allowance: int, coupon) -> tuple:
    return (-allowance, coupon.valid_until or FAR, coupon.code)


def best(coupons, lines, *, total: Decimal, policy: Policy, refused=()) -> Choice:
    """The best combination of `coupons` (all usable here and now) on these lines; `refused` —
    [(coupon, code, message)] found unusable beforehand — are listed as left out with their reason."""
    choice = Choice(cap=share_cap(total, policy))
    for coupon, code, message in refused:
        choice.left_out.append((coupon, code, why_unusable(coupon, code, message)))
    campaigns: dict = {}
    for coupon in coupons:
        campaigns.setdefault(coupon.campaign.code, []).append(coupon)
    ready = []  # (campaign, lines, goods fen, [(allowance fen, coupon)] usable, most)
    for held in campaigns.values():
        campaign = held[0].campaign
        lines_paid = paid_lines(campaign, lines)
        goods = sum((lines[i].amount for i in lines_paid), ZERO)
        faces: dict = {}
        items = []
        for coupon in held:
            if coupon.face_value not in faces:
                faces[coupon.face_value] = terms.allowance(campaign, lines, face_value=coupon.face_value)
            allowance = faces[coupon.face_value]
            choice.allowances[coupon.code] = allowance
            if allowance <= 0:
                code, why = why_not_applicable(campaign, lines)
                choice.left_out.append((coupon, code, why))
            else:
                items.append((_fen(allowance), coupon))
        if not items:
            continue
        items.sort(key=lambda item: _order_key(*item))
        by_spend = int(goods // campaign.spend_per_coupon) if campaign.spend_per_coupon > 0 else len(items) + 1
        per_campaign = 1 if campaign.combines_with == CombinesWith.NONE else campaign.max_per_order
        most = min(len(items), per_campaign, by_spend, policy.max_coupons)
        useful = _Group(items, lines_paid, _fen(goods), most).most
        # the coupons past the first `useful` are left out for the tightest of the limits (the first of equals)
        if useful < len(items):
            _n, reason, why = min([(per_campaign, CAMPAIGN_LIMIT, why_campaign_limit), (by_spend, SPEND_PER_COUPON, why_spend),
                                  (policy.max_coupons, ORDER_LIMIT, None), (useful, GOODS_COVERED, why_covered)], key=lambda r: r[0])
            words = (why_spend(campaign, goods) if reason == SPEND_PER_COUPON else why_order_limit(policy) if reason == ORDER_LIMIT
                     else why(campaign))
            choice.left_out += [(coupon, reason, words) for _a, coupon in items[useful:]]
        if useful:
            ready.append((campaign, lines_paid, items[:useful]))
    if not ready:
        return choice
    found = None
    for family in _families(ready):
        answer = _search(family, lines, policy, _fen(choice.cap))
        choice.steps += answer[3]
        choice.exact = choice.exact and answer[4]
        if found is None or (answer[0], -answer[1]) > (found[0], -found[1]):
            found = answer
    _value, _count, paying, _steps, _exact = found
    _settle(choice, paying, policy)
    choice.used = [(c, a) for c, a in choice.used if a > 0]
    _explain(choice, ready, policy)
    return choice


def _families(ready: list) -> list:
    """Sets of campaigns inside which any subset may be combined (see the module's comment)."""
    out = [[r for r in ready if r[0].combines_with == CombinesWith.ANY]]
    for kind in CouponKind.values:
        of_kind = [r for r in ready if r[0].kind == kind and r[0].combines_with != CombinesWith.NONE]
        if any(r[0].combines_with == CombinesWith.SAME_KIND for r in of_kind):
            out.append(of_kind)
    alone = [r for r in ready if r[0].combines_with == CombinesWith.NONE]
    alone.sort(key=lambda r: _order_key(*r[2][0]))
    out += [[r] for r in alone]
    return [f for f in out if f]


def _search(family: list, lines, policy: Policy, cap: int) -> tuple:
    """Branch and bound over the family's groups: (value fen, coupons, [(coupon, fen)], steps, exact)."""
    merged: dict = {}
    for _campaign, lines_paid, items in family:
        merged.setdefault(lines_paid, []).extend(items)
    groups = []
    for lines_paid, items in merged.items():
        items.sort(key=lambda item: _order_key(*item))
        goods = sum(_fen(lines[i].amount) for i in lines_paid)
        groups.append(_Group(items, lines_paid, goods, policy.max_coupons))
    groups.sort(key=lambda g: _order_key(*g.items[0]))
    flow = _Flow([g.lines for g in groups], lines)
    most = policy.max_coupons
    ceiling = min(cap, flow.union)
    # tops[i][r]: the r largest marginals among groups i…, summed — a bound on what r more coupons add
    tops = [[0] * (most + 1) for _i in range(len(groups) + 1)]
    pool: list = []
    for i in range(len(groups) - 1, -1, -1):
        pool = sorted(pool + groups[i].marginals, reverse=True)[:most]
        for r in range(1, most + 1):
            tops[i][r] = tops[i][r - 1] + (pool[r - 1] if r <= len(pool) else 0)
    state = {"value": 0, "count": 0, "picks": [0] * len(groups), "steps": 0, "exact": True}
    picks = [0] * len(groups)

    def visit(i: int, used: int, paid: _Paid) -> None:
        state["steps"] += 1
        if state["steps"] > STEP_BUDGET:
            state["exact"] = False
            return
        value = min(paid.total, ceiling)
        if value > state["value"] or (value == state["value"] and used < state["count"]):
            state.update(value=value, count=used, picks=list(picks))
        room = most - used
        if i == len(groups) or room == 0 or paid.total >= ceiling:
            return
        bound = min(ceiling, paid.total + tops[i][room])
        if bound < state["value"]:
            return
        if bound == state["value"]:
            need = next(r for r in range(room + 1) if paid.total + tops[i][r] >= state["value"])
            if used + need >= state["count"]:
                return
        group = groups[i]
        for r in range(min(group.most, room), -1, -1):
            picks[i] = r
            visit(i + 1, used + r, flow.add(paid, i, group.values[r]) if r else paid)
            if not state["exact"]:
                break
        picks[i] = 0

    visit(0, 0, flow.empty())
    chosen = state["picks"]
    pays = flow.split([g.values[r] for g, r in zip(groups, chosen)])
    paying = []
    for group, r, fen in zip(groups, chosen, pays):
        for allowance, coupon in group.items[:r]:
            take = min(allowance, fen)
            paying.append((coupon, take))
            fen -= take
    return state["value"], state["count"], paying, state["steps"], state["exact"]


def _explain(choice: Choice, ready: list, policy: Policy) -> None:
    """Why each usable coupon the search did not take was left out (the same for every such coupon
    of a campaign: the campaign's coupons are alike)."""
    used = [c for c, _a in choice.used]
    taken = {c.code for c in used}
    paid = sum((a for _c, a in choice.used), ZERO)
    for campaign, _lines, items in ready:
        left = [coupon for _allowance, coupon in items if coupon.code not in taken]
        if not left:
            continue
        other = next((u.campaign for u in used if u.campaign.code != campaign.code and not combinable(campaign, u.campaign)), None)
        if other is not None:
            reason, why = NOT_COMBINABLE, why_not_combinable(campaign, other)
        elif len(used) >= policy.max_coupons:
            reason, why = ORDER_LIMIT, why_order_limit(policy)
        elif paid >= choice.cap:
            reason, why = SHARE_CAP, why_share(policy, choice.cap)
        else:
            reason, why = GOODS_COVERED, why_covered(campaign)
        choice.left_out += [(coupon, reason, why) for coupon in left]
