"""Care in the set-based import when one chunk holds the same members buying on several business dates:
a wave of care moments then spans several dates, and care runs for all of them in the same statements
(care.bulk.care_after_member_days). The tasks must be the till's, each on its own date."""
import json
import random
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vipdesk.care.choices import RuleKind
from vipdesk.care.bulk import after_sale_rules, care_after_member_days, care_after_members
from vipdesk.care.models import CareTask
from vipdesk.sales.models import Sale
from vipdesk.salesimport import bulk_care
from vipdesk.tiers.models import Level
from vipdesk.webhooks.models import Event
from vipdesk.webhooks.services import subscription_create

from .test_bulk_equivalence import EVENTS, _both, _import, _ref, _when

pytestmark = pytest.mark.django_db(transaction=False)


def _body(member, cards, rng, *, days_ago, second, price, no):
    lines = [{"line_no": 1, "sku": "SKU-1", "name": "商品", "unit_price": price, "quantity": 1, "amount": price}]
    return {"store": "SA01", "receipt_no": no, "occurred_at": _when(days_ago, second), "lines": lines, "amount_paid": price,
            "payments": [{"method": "wechat", "amount": price}], "member": _ref(member, cards, rng)}


def _several_dates_file(members, cards) -> str:
    """Each member buys on her own subset of five dates (so a wave of care moments spans several dates), once or
    twice a day, for amounts that move most of them up a level or two on the way (tier changes mid-file)."""
    rng = random.Random(17)
    own = {m.pk: sorted(rng.sample([4, 3, 2, 1, 0], rng.randint(2, 4)), reverse=True) for m in members}
    bodies, second = [], 0
    for days_ago in (4, 3, 2, 1, 0):
        for member in rng.sample(members, len(members)):
            if days_ago not in own[member.pk]:
                continue
            for _k in range(rng.choice([1, 1, 2])):
                second += 1
                bodies.append(_body(member, cards, rng, days_ago=days_ago, second=second, no=f"D{len(bodies):04d}",
                                    price=rng.choice(["300.00", "800.00", "1200.00", "2600.00"])))
    return "\n".join(json.dumps(b, ensure_ascii=False) for b in bodies) + "\n"


def test_care_of_members_buying_on_several_dates_in_one_chunk_equals_posting_each_receipt(shoppers, monkeypatch):
    members, cards = shoppers
    subscription_create(actor=None, data={"name": "ERP", "url": "https://erp.example.com/h", "events": EVENTS})
    waves = []
    real = bulk_care.care_after_member_days

    def spy(days, rules):
        waves.append(dict(days))
        return real(days, rules)

    monkeypatch.setattr(bulk_care, "care_after_member_days", spy)
    counts, set_based, bulk = _both(_several_dates_file(members, cards))  # tasks, merges, events: the till's
    assert set_based == counts[0]  # every receipt took the set-based path
    assert max(len(set(days.values())) for days in waves) >= 3  # a wave spanning three dates or more
    assert any(h[3] == "upgrade" for h in bulk["history"]) and len({h[4] for h in bulk["history"]}) >= 2  # upgrades on several dates

    # each task on its own date: the same-day call of every (member, date) of a sale, the tier task of every change
    bought, moved = ([r for r in after_sale_rules() if r.kind == kind] for kind in (RuleKind.AFTER_PURCHASE, RuleKind.TIER_CHANGED))
    assert len(bought) == len(moved) == 1
    bought, moved = bought[0], moved[0]
    care = {t[8]: t for t in bulk["care"]}  # by source key
    sales = {(s[6], s[5]) for s in bulk["sales"] if s[6] is not None}  # (member, business date)
    for member_id, day in sales:
        task = care[f"{bought.code}:{member_id}:{day.isoformat()}"]
        assert (task[0], task[1], task[4], timezone.localtime(task[5]).date()) == (member_id, bought.pk, day, day)
        assert json.loads(task[11])["date"] == day.isoformat()
    levels = dict(Level.objects.values_list("pk", "code"))
    moves = set()  # care runs at each change (a care moment): a task per (member, date, level reached)
    for member_id, _from, to_level, reason, on, _receipt, _note in bulk["history"]:
        moves.add((member_id, on, levels[to_level]))
        task = care[f"{moved.code}:{member_id}:{levels[to_level]}:{on.isoformat()}"]
        assert (task[0], task[1], task[4], timezone.localtime(task[5]).date()) == (member_id, moved.pk, on, on)
    assert len([t for t in bulk["care"] if t[1] == bought.pk]) == len(sales)
    assert len([t for t in bulk["care"] if t[1] == moved.pk]) == len(moves)


def _one_each(members, cards, dates) -> str:
    rng = random.Random(3)
    return "\n".join(json.dumps(_body(m, cards, rng, days_ago=dates[i % len(dates)], second=i, price="300.00", no=f"S{i:04d}"),
                                ensure_ascii=False) for i, m in enumerate(members)) + "\n"


def _care_statements(data: str) -> int:
    task = CareTask._meta.db_table
    with CaptureQueriesContext(connection) as seen:
        _import(data, set_based=True)
    care = [q["sql"] for q in seen.captured_queries if task in q["sql"] or "vd_care_" in q["sql"]]
    assert sum(f"INSERT INTO {connection.ops.quote_name(task)}" in sql for sql in care) == 2  # one per rule
    return len(care)


def test_care_statements_do_not_grow_with_the_number_of_dates(shoppers):
    """Twelve members, one sale each: all on one date, then (after a rollback) on five dates — one wave either way,
    the same number of care statements (date by date, it was one generation and one merge per date)."""
    members, cards = shoppers
    counts = []
    for dates in ([0], [4, 3, 2, 1, 0]):
        with transaction.atomic():
            counts.append(_care_statements(_one_each(members, cards, dates)))
            assert CareTask.objects.count() == len(members)
            assert len(set(CareTask.objects.values_list("due_on", flat=True))) == len(dates)
            transaction.set_rollback(True)
    assert counts[0] == counts[1]


def _care_rows_and_events():
    keys = dict(CareTask.objects.values_list("pk", "source_key"))  # a merged call's note names the kept one by id

    def note(text):
        return re.sub(r"#(\d+)", lambda m: keys[int(m.group(1))], text)

    tasks = sorted((t.member_id, t.store_id, t.owner_id, t.rule_id, t.kind, t.channel, t.due_on, t.due_at, t.script,
                    json.dumps(t.context, sort_keys=True, default=str), t.source_key, t.status, note(t.note),
                    json.dumps(t.reasons, sort_keys=True)) for t in CareTask.objects.all())
    events = []
    for e in Event.objects.filter(type="care_task.created").order_by("id"):
        data = json.loads(json.dumps(e.payload["data"]))
        data["task"].pop("id")
        events.append((e.member_id, json.dumps(data, sort_keys=True)))
    return tasks, events


def test_all_dates_at_once_make_what_date_by_date_made(shoppers):
    """care_after_member_days against the date-by-date loop it replaces (care_after_members per date, in date order),
    on the same sales and tier history: the same rows, merges and care_task.created events in the same global order."""
    members, cards = shoppers
    subscription_create(actor=None, data={"name": "ERP", "url": "https://erp.example.com/h", "events": EVENTS})
    rules = after_sale_rules()
    with transaction.atomic():
        _import(_several_dates_file(members, cards), set_based=True)
        moved = dict(bulk_care.TierHistory.objects.values_list("member_id", "on"))  # a date of a change, where she has one
        bought = {}
        for member_id, day in Sale.objects.exclude(member=None).order_by("-business_date").values_list("member_id", "business_date"):
            bought[member_id] = day  # else her first date
        days = {pk: moved.get(pk, bought.get(pk)) for pk in bought}
        assert len(set(days.values())) >= 3
        made = []
        for run in ("date by date", "all at once"):
            with transaction.atomic():
                CareTask.objects.all().delete()
                Event.objects.all().delete()
                if run == "date by date":
                    for day in sorted(set(days.values())):
                        care_after_members(day, [pk for pk, d in days.items() if d == day], rules)
                else:
                    care_after_member_days(days, rules)
                made.append(_care_rows_and_events())
                transaction.set_rollback(True)
        transaction.set_rollback(True)
    (tasks, events), (tasks2, events2) = made
    assert tasks and any(t[12] for t in tasks) and len({t[6] for t in tasks}) >= 3  # merged calls, several dates
    assert tasks2 == tasks
    assert events2 == events and len(events) == len(tasks)
