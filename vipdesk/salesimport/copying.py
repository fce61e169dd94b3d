"""Rows in bulk for the set-based import: PostgreSQL's COPY, with the ids taken from the table's own
sequence first (so the rows that point at them — lines at their sale, entries at their lot — are
built, and their results computed, before anything is written); `bulk_create` on the other databases.

Every column gets what an INSERT by the ORM would give it (each field's `pre_save`: the creation
time of a time-stamped row, a foreign key's id); JSON goes as jsonb.
"""
from __future__ import annotations

from django.db import connection
from django.db.models import DateField, DateTimeField, JSONField
from django.utils import timezone
from psycopg.types.json import Jsonb


def _getters(fields, now):
    """One reader per column: what `pre_save(obj, add=True)` gives, without calling it per row — a
    time-stamped column gets the write's time (set on the object too, as pre_save does)."""
    out = []
    for f in fields:
        name = f.attname
        if isinstance(f, DateField) and (f.auto_now or f.auto_now_add):
            stamp = now if isinstance(f, DateTimeField) else timezone.localdate(now)

            def get(obj, name=name, stamp=stamp):
                setattr(obj, name, stamp)
                return stamp
        elif isinstance(f, JSONField):
            def get(obj, name=name):
                value = getattr(obj, name)
                return None if value is None else Jsonb(value)
        else:
            def get(obj, name=name):
                return getattr(obj, name)
        out.append(get)
    return out


def copies() -> bool:
    """True where ids can be reserved before the rows are written (PostgreSQL)."""
    return connection.vendor == "postgresql"


def reserve(model, objs: list) -> list:
    """Give each of `objs` an id from the table's sequence, writing nothing (PostgreSQL only)."""
    if objs:
        meta = model._meta
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [meta.db_table, meta.pk.column, len(objs)])
            ids = sorted(row[0] for row in cursor.fetchall())
        for obj, pk in zip(objs, ids):
            obj.pk = pk
    return objs


def write(model, objs: list) -> list:
    """COPY `objs`, whose ids were reserved (PostgreSQL only)."""
    if not objs:
        return objs
    meta = model._meta
    fields = list(meta.concrete_fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    getters = _getters(fields, timezone.now())
    connection.ensure_connection()
    with connection.wrap_database_errors:  # a unique receipt taken meanwhile: Django's IntegrityError, as an INSERT gives
        with connection.connection.cursor() as cursor, cursor.copy(f"COPY {meta.db_table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([get(obj) for get in getters])
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
    return objs


def insert(model, objs: list) -> list:
    """Insert `objs` (unsaved instances of `model`) and give each its id."""
    if not objs:
        return objs
    if not copies():
        return model._default_manager.bulk_create(objs, batch_size=2000)
    return write(model, reserve(model, objs))
