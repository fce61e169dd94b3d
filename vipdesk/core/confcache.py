"""Configuration read once per process, kept until a write of it anywhere (issue 17 §1).

A posting and a quote read the same configuration every time — the tier programme, the points
policy and earning rules, the coupon issuance rules and policy, member days and promotions, the care
rules, the pricing and stored-value policies — which changes a few times a month. `cached(group,
name, loader)` keeps `loader()`'s answer in this process under the group's *version*, a row of
`core_configversion` that a database trigger on every table of the group sets to a new random
number on every INSERT, UPDATE, DELETE (and TRUNCATE on PostgreSQL) — in the writing statement's own
transaction, whoever writes: a service, the console, a migration, `QuerySet.update()`, raw SQL, a test.

So the next read after a committed change, in any process, sees another version and loads again; a
transaction sees its own uncommitted change (the bump is in it); a rolled-back change leaves the old
version, whose cached answer was read without it. The numbers are random, not a counter, so a version
never comes back after a rollback (a counter would: 5 → 6 rolled back → 6 again with other rows).

- The version is read before the rows, and read again after a load: if it moved meanwhile (another
  transaction committed, or the loader itself created a row), the answer is used once, not kept.
- No version row (a flushed test database) → nothing is kept: every call loads.
- `snapshot()` around a unit of work (a posting, a quote) reads every group's version with ONE
  statement, the first time one is needed; outside it each `cached` call reads its group's (one
  plain statement, no ORM compilation).
- Callers get the kept objects: they must not change them (`fresh_copy` for a model row handed out).

Which tables belong to which group each app declares in its AppConfig.ready() (`watch(...)`); the
triggers are (re)made after every `migrate` (see below).
"""
from __future__ import annotations

import contextvars
import copy
from contextlib import contextmanager

from django.db import connection

from .models import policy_of

TABLE = "core_configversion"
MISSING = object()

_kept: dict[tuple[str, str], tuple[int, object]] = {}
_snapshot: contextvars.ContextVar[dict | None] = contextvars.ContextVar("vipdesk_confcache_snapshot", default=None)
stats = {"hits": 0, "loads": 0}  # for tests and benches: how often the rows were read


def _read_all() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, version FROM {TABLE}")
        return dict(cursor.fetchall())


def _read_one(group: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {TABLE} WHERE name = %s", [group])
        row = cursor.fetchone()
    return row[0] if row else None


def version(group: str) -> int | None:
    """The group's version as this connection sees it now (inside a snapshot: as read at its start)."""
    snap = _snapshot.get()
    if snap is None:
        return _read_one(group)
    if "\0read" not in snap:
        snap.update(_read_all())
        snap["\0read"] = True
    return snap.get(group)


@contextmanager
def snapshot():
    """Read every group's version once for the work inside (nested: the outer one's)."""
    if _snapshot.get() is not None:
        yield
        return
    token = _snapshot.set({})
    try:
        yield
    finally:
        _snapshot.reset(token)


def cached(group: str, name: str, loader):
    """`loader()`, kept in this process until the group's configuration is written (see the module)."""
    seen = version(group)
    if seen is not None:
        kept = _kept.get((group, name), MISSING)
        if kept is not MISSING and kept[0] == seen:
            stats["hits"] += 1
            return kept[1]
    stats["loads"] += 1
    value = loader()
    if seen is not None:
        now = _read_one(group)
        if now == seen:
            _kept[(group, name)] = (seen, value)
        else:
            snap = _snapshot.get()
            if snap is not None and now is not None:
                snap[group] = now  # the rest of the unit of work loads the group as it is now
    return value


def policy_row(model):
    """The chain's one settings row of a watched policy model (core.models.policy_of), kept per
    process; a copy, so a caller setting an attribute changes nobody else's."""
    group = WATCHED[model._meta.label][0]
    return fresh_copy(cached(group, f"policy:{model._meta.label}", lambda: policy_of(model)))


def fresh_copy(row):
    """A shallow copy of a kept model row, for a caller that might set attributes on it."""
    return copy.copy(row) if row is not None else None


def forget() -> None:
    """Drop what this process keeps (tests; the versions make it unnecessary otherwise)."""
    _kept.clear()


# ---- the triggers ------------------------------------------------------------------------------
#
# Each app declares its configuration tables in its AppConfig.ready() (`watch`); after every
# `migrate` (and every test-database flush, which sends post_migrate too) `install_triggers` drops and
# creates every declared trigger again and gives each group a first version. So a later migration
# that rebuilds a table (SQLite rebuilds a table to alter a column, dropping its triggers) cannot
# leave it unwatched; core/tests/test_confcache.py checks every declared table has its triggers.

WATCHED: dict[str, tuple[str, tuple[str, ...]]] = {}  # "app.Model" -> (group, columns whose change alone is not configuration)

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION vipdesk_config_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {TABLE} (name, version) VALUES (TG_ARGV[0], floor(random() * 9000000000000000000)::bigint)
    ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version;
    RETURN NULL;
END $$;
"""


def watch(group: str, *models: str, ignore: dict[str, tuple[str, ...]] | None = None) -> None:
    """Every write of these models' tables ("app.Model") gives `group` a new version. `ignore`: per
    model, columns whose change alone is not configuration (a campaign's issued count): an UPDATE
    that sets only those does not bump (the trigger is on UPDATE OF the other columns)."""
    for label in models:
        WATCHED[label] = (group, tuple((ignore or {}).get(label, ())))


def trigger_names(table: str, vendor: str) -> list[str]:
    base = f"confver_{table}"
    return [base] if vendor == "postgresql" else [f"{base}_{op}" for op in ("i", "u", "d")]


def _install_one(cursor, vendor: str, qn, group: str, table: str, columns: list[str]) -> None:
    update = f"UPDATE OF {', '.join(qn(c) for c in columns)}" if columns else "UPDATE"
    if vendor == "postgresql":
        name = trigger_names(table, vendor)[0]
        cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {qn(table)}")
        cursor.execute(f"CREATE TRIGGER {name} AFTER INSERT OR {update} OR DELETE OR TRUNCATE ON {qn(table)} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION vipdesk_config_bump('{group}')")
        return
    bump = f"INSERT OR REPLACE INTO {TABLE} (name, version) VALUES ('{group}', abs(random()));"
    for name, what in zip(trigger_names(table, vendor), ("INSERT", update, "DELETE")):
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"CREATE TRIGGER {name} AFTER {what} ON {qn(table)} FOR EACH ROW BEGIN {bump} END")


def install_triggers(using: str = "default", **_kwargs) -> None:
    """(Re)create the triggers of every watched table and give every group a new version."""
    from django.apps import apps
    from django.db import connections

    conn = connections[using]
    if conn.vendor not in ("postgresql", "sqlite") or TABLE not in conn.introspection.table_names():
        return
    qn = conn.ops.quote_name
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
        groups = set()
        for label, (group, skip) in WATCHED.items():
            model = apps.get_model(label)
            columns = [f.column for f in model._meta.local_concrete_fields if f.column not in skip] if skip else []
            _install_one(cursor, conn.vendor, qn, group, model._meta.db_table, columns)
            groups.add(group)
        for group in sorted(groups):
            if conn.vendor == "postgresql":
                cursor.execute(f"INSERT INTO {TABLE} (name, version) VALUES (%s, floor(random() * 9000000000000000000)::bigint) "
                               "ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version", [group])
            else:
                cursor.execute(f"INSERT OR REPLACE INTO {TABLE} (name, version) VALUES (%s, abs(random()))", [group])
