"""Turning rules into tasks, set-based: one INSERT … SELECT per rule (and selection). The
candidate query comes from the rule's strategy (rules.py); the owner, the script and the source key
are computed by the database in the same statement, so no member row passes through Python
(bench/care.py: fetching, rendering and copying rows back took most of the job). Existing source
keys are skipped by ON CONFLICT DO NOTHING (the unique constraint decides, also under a race), so
running a date again creates nothing new.
"""
from __future__ import annotations

import datetime as dt
import json
import string
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import CharField, Count, DateField, F, Func, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Concat, JSONObject
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Role
from vipdesk.core import confcache
from vipdesk.core.money import format_number
from vipdesk.core.sql import model_table, quote_name
from vipdesk.members.models import Member
from vipdesk.org.models import Store

from .choices import STAFF_KINDS, RuleKind, TaskKind, TaskStatus
from .models import CareRule, CareTask
from .signals import care_tasks_inserted
from .rules import DAY, DAY_STRATEGIES, STRATEGIES, Selection, targeted

_formatter = string.Formatter()
# Placeholders that are counts of points: shown as 9,500 like every number in vipdesk (core.money.format_number).
NUMBERS = frozenset({"points", "threshold", "short"})


class GroupedNumber(Func):
    """An integer as text with thousands separators, in SQL: the set-based scripts read like the
    ones rendered in Python. Each database spells it its own way; both give "9,500" and "-1,234,567"."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra):  # any other database: the bare number
        return super().as_sql(compiler, connection, function="CAST", template="%(function)s(%(expressions)s AS text)", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="printf", template="%(function)s('%%%%,d', %(expressions)s)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="to_char",
                              template="%(function)s(%(expressions)s, 'FM999,999,999,999,990')", **extra)


def _shown(name: str, value) -> str:
    return format_number(value) if name in NUMBERS and isinstance(value, int) else str(value)


def template_parts(template: str) -> list[tuple[str, str | None]]:
    """The template as [(literal, placeholder or None)]; a broken template is kept as plain text."""
    try:
        return [(literal, fieldname) for literal, fieldname, _spec, _conv in _formatter.parse(template)]
    except ValueError:
        return [(template, None)]


def render(template: str, context: dict) -> str:
    """One script in Python (a single task made by hand or by a check-out); unknown placeholders → ""."""
    return "".join(literal + ("" if name is None else _shown(name, context.get(name, ""))) for literal, name in template_parts(template))


INLINE_CREW_MAX = 100  # staff + crew rows written into the statement itself rather than temporary tables
_NO_STAFF = "SELECT CAST(NULL AS bigint) AS staff_id, CAST(NULL AS varchar(200)) AS name WHERE 1 = 0"
_NO_CREW = ("SELECT CAST(NULL AS bigint) AS store_id, CAST(NULL AS integer) AS slot, CAST(NULL AS integer) AS n, "
            "CAST(NULL AS bigint) AS staff_id, CAST(NULL AS varchar(200)) AS name WHERE 1 = 0")


def _staff_rows(store_ids, staff_ids) -> list[tuple]:
    """(id, username, display_name, role, store id or None) of the active staff — all of them, or
    those of `store_ids` and the owners `staff_ids` — one row per store of theirs, by staff id:
    one statement (it was a DISTINCT query, its prefetch of stores, two compilations per sale)."""
    staff, link = model_table(Staff), model_table(Staff.stores.through)
    where, params = "s.is_active", []
    if store_ids is not None:
        stores, owners = [pk for pk in store_ids if pk is not None], [pk for pk in staff_ids if pk]
        conds = []
        if stores:
            conds.append(f"s.id IN (SELECT staff_id FROM {link} WHERE store_id IN ({', '.join(['%s'] * len(stores))}))")
            params += stores
        if owners:
            conds.append(f"s.id IN ({', '.join(['%s'] * len(owners))})")
            params += owners
        where += f" AND ({' OR '.join(conds) or '1 = 0'})"
    sql = (f"SELECT s.id, s.username, s.display_name, s.role, l.store_id FROM {staff} s LEFT JOIN {link} l ON l.staff_id = s.id "
           f"WHERE {where} ORDER BY s.id, l.store_id")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class Crews:
    """Who can work a store's tasks: active owners, the store's guides (for members without an
    active owner, split by member id) and its manager (escalations). Loaded once per run; `install`
    puts them in two temporary tables the INSERT … SELECT joins."""

    def __init__(self, *, store_ids=None, staff_ids=(), rows=None, stores=None):
        """Everybody; or, for an event about one member, only her store's staff and her owner.
        `rows` and `stores`: what `_staff_rows` and the stores query gave before (`member_crews`)."""
        self.names: dict[int, str] = {}
        self.guides: dict[int, list[int]] = defaultdict(list)
        self.managers: dict[int, int] = {}
        for pk, username, display_name, role, store_id in (_staff_rows(store_ids, staff_ids) if rows is None else rows):
            self.names[pk] = display_name or username  # as str(staff)
            if store_id is None:
                continue
            if role == Role.GUIDE:
                self.guides[store_id].append(pk)
            elif role == Role.STORE_MANAGER:
                self.managers.setdefault(store_id, pk)
        if stores is None:
            stores = {s.pk: s for s in (Store.objects.all() if store_ids is None else Store.objects.filter(pk__in=store_ids))}
        self.stores = stores
        self._tz: dict[int, ZoneInfo] = {}
        self._installed = False

    @classmethod
    def of_member(cls, store_id, owner_id) -> Crews:
        """`Crews(store_ids=[store_id], staff_ids=[owner_id])` for an event about one member (a sale),
        its two reads kept per process until a person, a store or who works where is written
        (core.confcache, group "org": accounts/apps.py, org/apps.py)."""
        def load():
            return _staff_rows([store_id], [owner_id]), {s.pk: s for s in Store.objects.filter(pk=store_id)}

        rows, stores = confcache.cached("org", f"crews:{store_id}:{owner_id}", load)
        return cls(store_ids=[store_id], staff_ids=[owner_id], rows=rows, stores=stores)

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

    def joined(self, cursor) -> tuple[str, list, str, list]:
        """The staff and crew relations for an INSERT … SELECT: (staff SQL, params, crew SQL, params).
        A few people (one member's store and owner: a sale's event) are written into the statement
        as rows; the daily job's thousands go into the temporary tables (`install`)."""
        crew = self._crew_rows()
        if len(self.names) + len(crew) > INLINE_CREW_MAX:
            self.install(cursor)
            return "vd_care_staff", [], "vd_care_crew", []
        staff_sql = " UNION ALL ".join(["SELECT CAST(%s AS bigint) AS staff_id, CAST(%s AS varchar(200)) AS name"] * len(self.names))
        crew_sql = " UNION ALL ".join(["SELECT CAST(%s AS bigint) AS store_id, CAST(%s AS integer) AS slot, CAST(%s AS integer) AS n, "
                                       "CAST(%s AS bigint) AS staff_id, CAST(%s AS varchar(200)) AS name"] * len(crew))
        return (f"({staff_sql or _NO_STAFF})", [x for row in self.names.items() for x in row],
                f"({crew_sql or _NO_CREW})", [x for row in crew for x in row])

    def _crew_rows(self) -> list[tuple]:
        crew = []
        for store_id in sorted(set(self.guides) | set(self.managers)):
            people = self.guides.get(store_id) or [self.managers[store_id]]
            crew += [(store_id, k, len(people), pk, self.names.get(pk, "")) for k, pk in enumerate(people)]
        return crew

    def install(self, cursor) -> None:
        """vd_care_staff(staff_id, name): active staff who may own a task; vd_care_crew(store_id,
        slot, n, staff_id, name): slot k of n takes the members with id (or even index) ≡ k mod n."""
        if self._installed:
            return
        cursor.execute("CREATE TEMPORARY TABLE IF NOT EXISTS vd_care_staff (staff_id bigint PRIMARY KEY, name varchar(200))")
        cursor.execute("CREATE TEMPORARY TABLE IF NOT EXISTS vd_care_crew (store_id bigint, slot integer, n integer, "
                       "staff_id bigint, name varchar(200), PRIMARY KEY (store_id, slot))")
        cursor.execute("DELETE FROM vd_care_staff")
        cursor.execute("DELETE FROM vd_care_crew")
        if self.names:
            cursor.executemany("INSERT INTO vd_care_staff (staff_id, name) VALUES (%s, %s)", list(self.names.items()))
        crew = self._crew_rows()
        if crew:
            cursor.executemany("INSERT INTO vd_care_crew (store_id, slot, n, staff_id, name) VALUES (%s, %s, %s, %s, %s)", crew)
        self._installed = True


def _text(part):
    return Value(part) if isinstance(part, str) else Cast(part, CharField())


def _concat(parts) -> Concat | Value:
    exprs = [_text(p) for p in parts]
    return exprs[0] if len(exprs) == 1 else Concat(*exprs, output_field=CharField())


def _is_expression(value) -> bool:
    return hasattr(value, "resolve_expression")


def _candidates(sel: Selection, placeholders: set[str], *, by_day: bool = False) -> tuple[str, tuple]:
    """The selection's members as SQL: id, name, owner_id, home_store_id, store and level names, the
    key suffix, the context as JSON and, as text, each context value the script uses (and, `by_day`,
    each member's own business date ck_day)."""
    context = {k: v if _is_expression(v) else Value(v) for k, v in sel.context.items()}
    scripted = {f"cv_{k}": GroupedNumber(v) if k in NUMBERS else Cast(v, TextField())
                for k, v in context.items() if k in placeholders and _is_expression(v)}
    qs = sel.members.annotate(**sel.values) if sel.values else sel.members
    qs = qs.annotate(ck_key=_concat(sel.key), ck_context=JSONObject(**context), **scripted)
    qs = qs.values("id", "name", "owner_id", "home_store_id", "ck_key", "ck_context", *scripted, *([DAY] if by_day else []),
                   ck_store=F("home_store__name"), ck_level=F("tier__level__name")).order_by()
    return qs.query.sql_with_params()


def _script_sql(template: str, sel: Selection, staff_name: str) -> tuple[str, list]:
    """The script as one SQL expression: literals as parameters, placeholders as columns of c."""
    columns = {"name": "c.name", "store": "c.ck_store", "level": "c.ck_level", "staff": staff_name}
    pieces, params = [], []
    for literal, name in template_parts(template):
        if literal:
            pieces.append("%s")
            params.append(literal)
        if name is None:
            continue
        if name in columns:
            pieces.append(f"COALESCE({columns[name]}, '')")
        elif name in sel.context and _is_expression(sel.context[name]):
            pieces.append(f"COALESCE(c.cv_{name}, '')")
        elif name in sel.context:
            pieces.append("%s")
            params.append(_shown(name, sel.context[name]))
    return (" || ".join(pieces) or "''"), params


_COLUMNS = ("member_id, store_id, owner_id, rule_id, kind, channel, due_on, due_at, script, context, source_key, "
            "status, outcome, note, created_at, updated_at, reasons")


def _placeholders(rule: CareRule) -> set[str]:
    return {name for _literal, name in template_parts(rule.script_zh or rule.script_en) if name}


def _insert(rule: CareRule, sel: Selection, *, crews: Crews, even: bool, due_at: dt.datetime | None,
            due_on: dt.date | None = None) -> int:
    try:
        inner, inner_params = _candidates(sel, _placeholders(rule))
    except EmptyResultSet:  # e.g. pk__in=[]: nobody is due
        return 0
    return _insert_candidates(rule, sel, inner, inner_params, crews=crews, even=even, due_at=due_at, due_on=due_on)


def _insert_candidates(rule: CareRule, sel: Selection, inner: str, inner_params, *, crews: Crews, even: bool,
                       due_at: dt.datetime | None, due_on: dt.date | None = None) -> int:
    day = due_on or sel.due_on
    when = ("%s", [due_at]) if due_at is not None else _due_when(rule, crews, [day])
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(*_insert_sql(rule, sel, inner, inner_params, crews=crews, cursor=cursor, even=even, day=day,
                                    when=when, now=now))
        created = max(cursor.rowcount, 0)
    if created:  # webhooks: care_task.created for the rows just inserted (set-based: found by rule and time)
        care_tasks_inserted.send(sender=CareTask, rule=rule, created_at=now)
    return created


def _due_when(rule: CareRule, crews: Crews, days, *, by_day: bool = False) -> tuple[str, list]:
    """The rule's hour in each store's own time zone on the day (SQL, params): one day; or, `by_day`, each
    of `days` for the rows whose own date (c.ck_day) it is — the values are Python's, as for one day."""
    cases, params, defaults = [], [], []
    for day in days:
        default = dt.datetime.combine(day, rule.due_time, tzinfo=ZoneInfo(settings.TIME_ZONE))
        other = {pk: dt.datetime.combine(day, rule.due_time, tzinfo=crews.tz(pk)) for pk in crews.stores}
        other = {pk: v for pk, v in other.items() if v != default}
        if not by_day:
            when = "CASE c.home_store_id " + "".join("WHEN %s THEN %s " for _ in other) + "ELSE %s END" if other else "%s"
            return when, [x for pair in other.items() for x in pair] + [default]
        cases += ["WHEN c.ck_day = %s AND c.home_store_id = %s THEN %s "] * len(other)
        params += [x for pk, v in other.items() for x in (day, pk, v)]
        defaults.append((day, default))
    cases += ["WHEN c.ck_day = %s THEN %s "] * len(defaults)
    return "CASE " + "".join(cases) + "END", params + [x for pair in defaults for x in pair]


def _insert_sql(rule: CareRule, sel: Selection, inner: str, inner_params, *, crews: Crews, cursor, even: bool,
                day: dt.date | None, when: tuple[str, list], now, by_day: bool = False) -> tuple[str, list]:
    """The INSERT … SELECT of a selection's tasks: on business date `day`; or, `by_day`, each candidate on
    her own date, the column ck_day of `inner` (due date, hour, rows numbered per date; the ids and
    members of the rows made are returned)."""
    template = rule.script_zh or rule.script_en
    per = "c0.ck_day, c0.home_store_id" if by_day else "c0.home_store_id"
    slot = f"ROW_NUMBER() OVER (PARTITION BY {per} ORDER BY c0.id) - 1" if even else "c0.id"
    if even:
        owner_id, owner_name = "g.staff_id", "g.name"
    else:
        owner_id = "CASE WHEN o.staff_id IS NOT NULL THEN o.staff_id ELSE g.staff_id END"
        owner_name = "CASE WHEN o.staff_id IS NOT NULL THEN o.name ELSE g.name END"
    script, script_params = _script_sql(template, sel, owner_name)
    when, when_params = when
    due, due_params = ("c.ck_day", []) if by_day else ("%s", [day])
    staff, staff_params, crew, crew_params = crews.joined(cursor)
    sql = (f"INSERT INTO {model_table(CareTask)} ({_COLUMNS}) "
           f"SELECT c.id, c.home_store_id, {owner_id}, %s, %s, %s, {due}, {when}, {script}, c.ck_context, %s || c.ck_key, "
           f"%s, '', '', %s, %s, '[]' "
           f"FROM (SELECT c0.*, {slot} AS ck_slot FROM ({inner}) c0) c "
           f"LEFT JOIN {staff} o ON o.staff_id = c.owner_id "
           f"LEFT JOIN {crew} g ON g.store_id = c.home_store_id AND g.slot = c.ck_slot %% g.n "
           f"WHERE 1 = 1 ORDER BY {'c.ck_day, ' if by_day else ''}c.home_store_id, c.id "
           f"ON CONFLICT (source_key) DO NOTHING{' RETURNING id, member_id' if by_day else ''}")
    # parameters in the order they appear in the text: the SELECT list's, the inner query's, the crews'. The time
    # of creation as the ORM writes it (SQLite: UTC text), so that the webhooks find the rows by it.
    now = connection.ops.adapt_datetimefield_value(now)
    return sql, [rule.pk, rule.task_kind, rule.channel, *due_params, *when_params, *script_params, f"{rule.code}:",
                 TaskStatus.OPEN, now, now, *inner_params, *staff_params, *crew_params]


def generate_for_rule(rule: CareRule, on: dt.date, *, crews: Crews, members=None, due_at: dt.datetime | None = None,
                      due_on: dt.date | None = None) -> int:
    """Create the rule's tasks for business date `on` (for `members` only, when given); the number created.
    `due_on` moves the tasks to another day (an event learnt late) without changing their keys."""
    base = targeted(rule, members)
    even = rule.kind == RuleKind.WEEKLY_GREETING and rule.parameters.get("split") == "even"
    return sum(_insert(rule, sel, crews=crews, even=even, due_at=due_at, due_on=due_on)
               for sel in STRATEGIES[rule.kind](rule, on, base))


# Kinds whose selections are built from the rule and the date alone (no query while building them),
# so their statements can be compiled once and run for any one member (`generate_for_member`).
PURE_KINDS = frozenset({RuleKind.AFTER_PURCHASE, RuleKind.TIER_CHANGED, RuleKind.BIRTHDAY, RuleKind.BIRTHDAY_DISCOUNT,
                        RuleKind.HOLIDAY, RuleKind.SEASON, RuleKind.MISSING_YOU, RuleKind.POINTS_NEAR,
                        RuleKind.POINTS_EXPIRING, RuleKind.DORMANT, RuleKind.WEEKLY_GREETING})
_SOMEONE = 4_611_686_018_427_387_903  # stands for the member in a compiled statement (no member id is this large)
_compiled: dict[tuple, list[tuple[Selection, str | None, list, list[int]]]] = {}


def _rule_shape(rule: CareRule, on: dt.date) -> tuple:
    """Everything the candidate statements of `rule` on `on` depend on (an edited rule compiles anew)."""
    return (rule.pk, rule.kind, json.dumps(rule.parameters, sort_keys=True, default=str), rule.store_id,
            tuple(rule.levels or ()), tuple(rule.exclude_levels or ()), rule.audience, rule.task_kind, rule.channel,
            rule.script_zh, rule.script_en, on)


def _member_statements(rule: CareRule, on: dt.date) -> list[tuple[Selection, str | None, list, list[int]]]:
    """[(selection, candidate SQL or None, its parameters, where the member's id goes in them)]."""
    key = _rule_shape(rule, on)
    found = _compiled.get(key)
    if found is None:
        found = []
        for sel in STRATEGIES[rule.kind](rule, on, targeted(rule, Member.objects.filter(pk=_SOMEONE))):
            try:
                inner, params = _candidates(sel, _placeholders(rule))
            except EmptyResultSet:
                found.append((sel, None, [], []))
                continue
            params = list(params)
            found.append((sel, inner, params, [i for i, p in enumerate(params) if type(p) is int and p == _SOMEONE]))
        if any(inner is not None and not where for _sel, inner, _p, where in found):
            return found  # the member's id is not a plain parameter here: not kept, compiled again next time
        if len(_compiled) > 256:
            _compiled.clear()
        _compiled[key] = found
    return found


def generate_for_member(*, on: dt.date, rules, member_id: int, crews: Crews, due_on: dt.date | None = None) -> dict[str, int]:
    """`generate(on=on, rules=rules, members=<this member>, due_on=due_on)` for an event about one
    member (a sale): the same statements and keys, but each rule's candidate query is compiled once
    per process for a date and run with the member's id (compiling it was most of a posting's care
    step, bench/posting_profile.py). Rules of other kinds go the ordinary way."""
    made = {}
    for rule in rules:
        if rule.kind not in PURE_KINDS:
            made.update(generate(on=on, rules=[rule], members=Member.objects.filter(pk=member_id), due_on=due_on, crews=crews))
            continue
        even = rule.kind == RuleKind.WEEKLY_GREETING and rule.parameters.get("split") == "even"
        count = 0
        for sel, inner, params, where in _member_statements(rule, on):
            if inner is None:
                continue
            params = list(params)
            for i in where:
                params[i] = member_id
            count += _insert_candidates(rule, sel, inner, params, crews=crews, even=even, due_at=None, due_on=due_on)
        made[rule.code] = count
    return made


def calls_to_merge(*, on: dt.date, member_id: int) -> list[dt.date]:
    """The days (from `on` on) on which one member has two open calls or more: what
    `merge_calls(on=on, members=<this member>)` would merge; one plain statement."""
    sql = (f"SELECT due_on FROM {model_table(CareTask)} WHERE member_id = %s AND kind = %s AND status = %s AND due_on >= %s "
           f"GROUP BY due_on HAVING COUNT(*) > 1 ORDER BY due_on")
    with connection.cursor() as cursor:
        cursor.execute(sql, [member_id, TaskKind.CALL, TaskStatus.OPEN, on])
        return [_day(row[0]) for row in cursor.fetchall()]


def _day(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def merge_member_calls(*, member_id: int, days: list[dt.date]) -> int:
    """`merge_calls` for one member and the days `calls_to_merge` found."""
    qs = CareTask.objects.filter(kind=TaskKind.CALL, status=TaskStatus.OPEN)
    now = timezone.now()
    return sum(_merge_day(qs, member_id, due_on, now) for due_on in days)


def generate(*, on: dt.date, kinds=None, members=None, due_at=None, due_on=None, rules=None,
             crews: Crews | None = None) -> dict[str, int]:
    """Every active rule (of `kinds`) for business date `on`: {rule code: tasks created}."""
    if rules is None:
        rules = CareRule.objects.filter(active=True)
        if kinds is not None:
            rules = rules.filter(kind__in=kinds)
    rules = list(rules.order_by("pk") if hasattr(rules, "order_by") else rules)
    if not rules:
        return {}
    crews = crews or Crews()
    return {rule.code: generate_for_rule(rule, on, crews=crews, members=members, due_at=due_at, due_on=due_on) for rule in rules}


def merge_calls(*, on: dt.date, members=None) -> int:
    """A member's open calls due on the same day (from `on` on) become one call with several reasons:
    the earliest keeps them all (`reasons`, the scripts one after the other); the others are closed
    as cancelled with a note naming it. Their keys stay, so a second run makes nothing again."""
    open_calls = CareTask.objects.filter(kind=TaskKind.CALL, status=TaskStatus.OPEN, due_on__gte=on)
    qs = open_calls if members is None else open_calls.filter(member__in=members)
    groups = list(qs.values("member_id", "due_on").annotate(n=Count("id")).filter(n__gt=1)
                  .values_list("member_id", "due_on").order_by("member_id", "due_on"))
    now = timezone.now()
    # Each day's merge names its member, so it reads `open_calls`, not `qs`: with `members` a set of
    # thousands (the sales import's members of a day), filtering by it again would compile and send
    # the whole set once per merged day — quadratic (a 1,000,000-receipt import stalled on it).
    return sum(_merge_day(open_calls, member_id, due_on, now) for member_id, due_on in groups)


def _merge_day(qs, member_id: int, due_on: dt.date, now) -> int:
    tasks = list(qs.filter(member_id=member_id, due_on=due_on).select_related("rule").order_by("due_at", "id"))
    if len(tasks) < 2:
        return 0
    keep, rest = tasks[0], tasks[1:]
    reasons = [r for t in tasks for r in (t.reasons or [_reason(t)])]
    keep.reasons = reasons
    keep.script = "\n".join(f"{i}. {r['rule']}：{r['script']}" if r["script"] else f"{i}. {r['rule']}"
                             for i, r in enumerate(reasons, 1))
    keep.save(update_fields=["reasons", "script", "updated_at"])
    note = _("Merged into call #%(id)s of the same day.") % {"id": keep.pk}
    return CareTask.objects.filter(pk__in=[t.pk for t in rest]).update(status=TaskStatus.CANCELLED, note=note, updated_at=now)


def _reason(task: CareTask) -> dict:
    return {"rule": task.rule.name if task.rule_id else str(_("Call")), "kind": task.rule.kind if task.rule_id else "",
            "script": task.script}


# ---- many business dates at once (the sales import: care.bulk) -------------------------------------
# Each member on her own business date: vd_care_days(member_id, day) holds them (`install_days`), the
# members queryset carries the date as the annotation DAY, and each rule of DAY_STRATEGIES makes the
# tasks of every date with one INSERT … SELECT per selection (the builder above, `by_day`) — the same
# rows `generate(on=day, members=<hers>)` makes date by date, for statements that do not grow with
# the number of dates.

def install_days(days: dict[int, dt.date]) -> None:
    """vd_care_days: one row per member (a dict: each member once) with her business date."""
    ids = sorted(days)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE IF NOT EXISTS vd_care_days (member_id bigint PRIMARY KEY, day date NOT NULL)")
        cursor.execute("DELETE FROM vd_care_days")
        if connection.vendor == "postgresql":  # two array parameters, whatever the number of members
            cursor.execute("INSERT INTO vd_care_days (member_id, day) SELECT * FROM unnest(%s::bigint[], %s::date[])",
                           [ids, [days[pk] for pk in ids]])
        else:
            cursor.executemany("INSERT INTO vd_care_days (member_id, day) VALUES (%s, %s)", [(pk, days[pk]) for pk in ids])


def day_members():
    """The members of vd_care_days, each with her date as the annotation DAY (a lookup by the members table's
    own name: the base table of every candidate query, which subqueries refer to from inside)."""
    member = f"{model_table(Member)}.{quote_name('id')}"
    return (Member.objects.filter(pk__in=RawSQL("SELECT member_id FROM vd_care_days", []))
            .annotate(**{DAY: RawSQL(f"SELECT d.day FROM vd_care_days d WHERE d.member_id = {member}", [], output_field=DateField())}))


def generate_on_days(*, days: dict[int, dt.date], rules, crews: Crews) -> dict[str, int]:
    """`generate(on=days[m], rules=rules, members=<m>, crews=crews)` for each member m of vd_care_days
    (`install_days(days)` first; every rule `takes_days`), all dates at once: {rule code: tasks created}. The
    care_task.created events go out in the order of the date-by-date runs: by date, rule, selection, row."""
    now, made, created = timezone.now(), {}, []
    members = day_members()
    dates = sorted(set(days.values()))
    for r, rule in enumerate(rules):
        even = rule.kind == RuleKind.WEEKLY_GREETING and rule.parameters.get("split") == "even"
        made[rule.code], when = 0, _due_when(rule, crews, dates, by_day=True)
        for k, sel in enumerate(DAY_STRATEGIES[rule.kind](rule, targeted(rule, members))):
            try:
                inner, inner_params = _candidates(sel, _placeholders(rule), by_day=True)
            except EmptyResultSet:
                continue
            with connection.cursor() as cursor:
                cursor.execute(*_insert_sql(rule, sel, inner, inner_params, crews=crews, cursor=cursor, even=even, day=None,
                                            when=when, now=now, by_day=True))
                rows = cursor.fetchall()
            made[rule.code] += len(rows)
            created += [(days[member_id], r, k, pk) for pk, member_id in rows]
    if created:
        care_tasks_inserted.send(sender=CareTask, rule=None, created_at=now, ids=[row[-1] for row in sorted(created)])
    return made


def merge_calls_on_days() -> int:
    """`merge_calls(on=<her date>, members=<her>)` for each member of vd_care_days: one query finds them all."""
    sql = (f"SELECT t.member_id, t.due_on FROM {model_table(CareTask)} t JOIN vd_care_days d ON d.member_id = t.member_id "
           f"WHERE t.kind = %s AND t.status = %s AND t.due_on >= d.day GROUP BY t.member_id, t.due_on HAVING COUNT(*) > 1 "
           f"ORDER BY t.member_id, t.due_on")
    with connection.cursor() as cursor:
        cursor.execute(sql, [TaskKind.CALL, TaskStatus.OPEN])
        groups = cursor.fetchall()
    qs, now = CareTask.objects.filter(kind=TaskKind.CALL, status=TaskStatus.OPEN), timezone.now()
    return sum(_merge_day(qs, member_id, _day(due_on), now) for member_id, due_on in groups)


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
