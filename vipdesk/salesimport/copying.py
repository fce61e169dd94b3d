"""Rows in bulk for the set-based import: PostgreSQL's COPY, with the ids taken from the table's own
sequence first (so the rows that point at them — lines at their sale, entries at their lot — are
built before anything is written); `bulk_create` on the other databases.

Every column gets what an INSERT by the ORM would give it (each field's `pre_save`: the creation
time of a time-stamped row, a foreign key's id); JSON goes as jsonb.
"""
from __future__ import annotations

from django.db import connection
from django.db.models import JSONField
from psycopg.types.json import Jsonb


def _value(field, obj):
    value = field.pre_save(obj, add=True)
    if isinstance(field, JSONField):
        return None if value is None else Jsonb(value)
    return value


def insert(model, objs: list) -> list:
    """Insert `objs` (unsaved instances of `model`) and give each its id."""
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs, batch_size=2000)
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, meta.pk.column, len(objs)])
        ids = sorted(row[0] for row in cursor.fetchall())
    for obj, pk in zip(objs, ids):
        obj.pk = pk
    fields = list(meta.concrete_fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.connection.cursor() as cursor, cursor.copy(f"COPY {meta.db_table} ({columns}) FROM STDIN") as copy:
        for obj in objs:
            copy.write_row([_value(f, obj) for f in fields])
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
    return objs
