"""Turning rules into tasks, set-based: one candidate query per rule (and selection), scripts
rendered in Python from the fetched columns, rows written with bulk_create. Existing source keys
are skipped (and the unique constraint backs that up under a race), so running a date again
creates nothing new.
"""
from __future__ import annotations

import datetime as dt
import json
import string
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Role
from vipdesk.org.models import Store

from .choices import STAFF_KINDS, RuleKind, TaskStatus
from .models import CareRule, CareTask
from .rules import STRATEGIES, Selection, targeted

BATCH = 5000


_formatter = string.Formatter()


def compile_template(template: str):
    """The template as [(literal, field)] once per rule, so rendering a row is one join (bench/care.py)."""
    try:
        parts = [(literal, field) for literal, field, _spec, _conv in _formatter.parse(template)]
    except ValueError:  # a broken template never stops the job; the raw text is kept
        return lambda values: template
    return lambda values: "".join(literal + ("" if field is None else str(values.get(field, ""))) for literal, field in parts)


def render(template: str, context: dict) -> str:
    return compile_template(template)(context)


class Crews:
    """Who can work a store's tasks: active owners, the store's guides (for members without an
    active owner, split by member id) and its manager (escalations). Loaded once per run."""

    def __init__(self, *, store_ids=None, staff_ids=()):
        """Everybody; or, for an event about one member, only her store's staff and her owner."""
        staff = Staff.objects.filter(is_active=True)
        if store_ids is not None:
            staff = staff.filter(Q(stores__in=store_ids) | Q(pk__in=[s for s in staff_ids if s])).distinct()
        staff = list(staff.prefetch_related("stores").only("id", "username", "display_name", "role").order_by("pk"))
        self.names = {s.pk: str(s) for s in staff}
        self.guides: dict[int, list[int]] = defaultdict(list)
        self.managers: dict[int, int] = {}
        for s in staff:
            for store in s.stores.all():
                if s.role == Role.GUIDE:
                    self.guides[store.pk].append(s.pk)
                elif s.role == Role.STORE_MANAGER:
                    self.managers.setdefault(store.pk, s.pk)
        self.stores = {s.pk: s for s in (Store.objects.all() if store_ids is None else Store.objects.filter(pk__in=store_ids))}
        self._tz: dict[int, ZoneInfo] = {}

    def owner(self, owner_id, store_id, member_id, *, even_index: int | None = None):
        if even_index is None and owner_id in self.names:
            return owner_id
        guides = self.guides.get(store_id)
        if guides:
            return guides[(member_id if even_index is None else even_index) % len(guides)]
        return self.managers.get(store_id)

    def tz(self, store_id) -> ZoneInfo:
        if store_id not in self._tz:
            store = self.stores.get(store_id)
            self._tz[store_id] = ZoneInfo(getattr(store, "time_zone", None) or settings.TIME_ZONE)
        return self._tz[store_id]


def _rows(sel: Selection):
    fields = ["id", "name", "owner_id", "home_store_id"]
    qs = sel.members.values(*fields, level_name=F("tier__level__name"))
    if sel.values:
        qs = qs.annotate(**sel.values)
    return qs.order_by("home_store_id", "id").iterator(chunk_size=BATCH)


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_COLUMNS = ("member_id", "store_id", "owner_id", "rule_id", "kind", "channel", "due_on", "due_at", "script", "context", "source_key")


def _write(rows: list[tuple]) -> int:
    """Insert task rows, skipping source keys that exist; the number inserted. On PostgreSQL by COPY
    into a scratch table and one INSERT … ON CONFLICT DO NOTHING (bench/care.py: the ORM's
    bulk_create spent most of the job building SQL); elsewhere bulk_create after a key check."""
    if not rows:
        return 0
    now = timezone.now()
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(CareTask._meta.db_table)
        cols = ", ".join(_COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS care_task_in AS SELECT {cols} FROM {table} WITH NO DATA")
            cursor.execute("TRUNCATE care_task_in")
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            with raw.copy(f"COPY care_task_in ({cols}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row((*r[:9], json.dumps(r[9], ensure_ascii=False), r[10]))
            cursor.execute(
                f"INSERT INTO {table} ({cols}, status, outcome, note, created_at, updated_at) "
                f"SELECT {cols}, %s, '', '', %s, %s FROM care_task_in ON CONFLICT (source_key) DO NOTHING",
                [TaskStatus.OPEN, now, now])
            return cursor.rowcount
    known = set(CareTask.objects.filter(source_key__in=[r[10] for r in rows]).values_list("source_key", flat=True))
    fresh = [CareTask(**dict(zip(_COLUMNS, r))) for r in rows if r[10] not in known]
    CareTask.objects.bulk_create(fresh, batch_size=1000, ignore_conflicts=True)
    return len(fresh)


def generate_for_rule(rule: CareRule, on: dt.date, *, crews: Crews, members=None, due_at: dt.datetime | None = None) -> int:
    """Create the rule's tasks for business date `on` (for `members` only, when given); the number created."""
    base = targeted(rule, members)
    even = rule.kind == RuleKind.WEEKLY_GREETING and rule.parameters.get("split") == "even"
    script = compile_template(rule.script_zh or rule.script_en)
    created = 0
    for sel in STRATEGIES[rule.kind](rule, on, base):
        index: dict[int, int] = defaultdict(int)  # per store, for the even split
        when_cache: dict[int, dt.datetime] = {}
        for chunk in _chunks(_rows(sel), BATCH):
            tasks = []
            for row in chunk:
                store_id = row["home_store_id"]
                if even:
                    owner_id = crews.owner(row["owner_id"], store_id, row["id"], even_index=index[store_id])
                    index[store_id] += 1
                else:
                    owner_id = crews.owner(row["owner_id"], store_id, row["id"])
                if due_at is not None:
                    when = due_at
                else:
                    when = when_cache.get(store_id)
                    if when is None:
                        when = when_cache[store_id] = dt.datetime.combine(sel.due_on, rule.due_time, tzinfo=crews.tz(store_id))
                context = sel.context(row)
                store = crews.stores.get(store_id)
                values = {"name": row["name"], "store": store.name if store else "", "level": row["level_name"] or "",
                          "staff": crews.names.get(owner_id, ""), **context}
                tasks.append((row["id"], store_id, owner_id, rule.pk, rule.task_kind, rule.channel, sel.due_on, when,
                              script(values), context, f"{rule.code}:{sel.key(row)}"))
            created += _write(tasks)
    return created


def generate(*, on: dt.date, kinds=None, members=None, due_at=None, rules=None, crews: Crews | None = None) -> dict[str, int]:
    """Every active rule (of `kinds`) for business date `on`: {rule code: tasks created}."""
    if rules is None:
        rules = CareRule.objects.filter(active=True)
        if kinds is not None:
            rules = rules.filter(kind__in=kinds)
    rules = list(rules.order_by("pk") if hasattr(rules, "order_by") else rules)
    if not rules:
        return {}
    crews = crews or Crews()
    return {rule.code: generate_for_rule(rule, on, crews=crews, members=members, due_at=due_at) for rule in rules}


def escalate(*, on: dt.date) -> int:
    """Open staff tasks still undone after their due date (or earlier, by CARE_ESCALATE_AFTER_DAYS)
    go to a manager of the task's store: status escalated, escalated_to set. One UPDATE per store."""
    after = int(settings.VIPDESK.get("CARE_ESCALATE_AFTER_DAYS", 1))
    cutoff = on - dt.timedelta(days=after)
    crews_managers = Crews().managers
    overdue = CareTask.objects.filter(status=TaskStatus.OPEN, kind__in=STAFF_KINDS, due_on__lte=cutoff)
    now = timezone.now()
    count = 0
    for store_id in overdue.values_list("store_id", flat=True).distinct().order_by("store_id"):
        manager = crews_managers.get(store_id)
        count += overdue.filter(store_id=store_id).update(status=TaskStatus.ESCALATED, escalated_to_id=manager,
                                                          escalated_at=now, updated_at=now)
    return count


def care_run_daily(*, on: dt.date) -> dict:
    from .outbox import care_messages_to_outbox

    created = generate(on=on)
    return {"date": on.isoformat(), "created": sum(created.values()), "by_rule": created, "escalated": escalate(on=on),
            "outbox": care_messages_to_outbox(on=on)}

