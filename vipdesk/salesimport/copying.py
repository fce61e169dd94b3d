"""Rows in bulk for the set-based import: PostgreSQL's COPY, with the ids taken from the table's own
sequence first (so the rows that point at them — lines at their sale, entries at their lot — are
built, and their results computed, before anything is written); `bulk_create` on the other databases.

Every column gets what an INSERT by the ORM would give it (each field's `pre_save`: the creation
time of a time-stamped row, a foreign key's id); JSON goes as jsonb.
"""
from __future__ import annotations

import operator

from django.db import connection
from django.db.models import DateField, DateTimeField, JSONField
from django.db.models.base import ModelState
from django.utils import timezone
from psycopg.types.json import Jsonb


def _row_maker(fields, now):
    """obj → its COPY row: what `pre_save(obj, add=True)` gives each column, without calling it per row —
    the plain columns read in one go, a time-stamped column gets the write's time (set on the object
    too, as pre_save does), JSON goes as jsonb."""
    plain = [i for i, f in enumerate(fields) if not (isinstance(f, JSONField) or _stamped(f))]
    read = operator.attrgetter(*[fields[i].attname for i in plain]) if plain else (lambda obj: ())
    special = []
    for i, f in enumerate(fields):
        if _stamped(f):
            special.append((i, f.attname, now if isinstance(f, DateTimeField) else timezone.localdate(now), False))
        elif isinstance(f, JSONField):
            special.append((i, f.attname, None, True))
    width = len(fields)
    single = len(plain) == 1

    def row(obj):
        got = read(obj)
        out = [None] * width
        if single:
            out[plain[0]] = got
        else:
            for i, value in zip(plain, got):
                out[i] = value
        for i, name, stamp, is_json in special:
            if is_json:
                value = getattr(obj, name)
                out[i] = None if value is None else Jsonb(value)
            else:
                setattr(obj, name, stamp)
                out[i] = stamp
        return out

    return row


def _stamped(field) -> bool:
    return isinstance(field, DateField) and (field.auto_now or field.auto_now_add)


class Maker:
    """Unsaved instances of `model` without Model.__init__, whose per-field defaults and descriptors cost
    more than the row itself when thousands are built: every concrete column gets the value given (by
    attname: `sale_id`), else the field's default (a callable default is called for each instance);
    `related` primes the cache of the foreign keys given (`sale.store` without a query)."""

    def __init__(self, model):
        self.model = model
        self.fixed, self.factories = {}, []
        for f in model._meta.concrete_fields:
            if f.has_default() and callable(f.default):
                self.factories.append((f.attname, f.get_default))
            else:
                self.fixed[f.attname] = f.get_default()

    def __call__(self, values: dict, related: dict | None = None):
        obj = self.model.__new__(self.model)
        data = obj.__dict__
        data.update(self.fixed)
        for name, default in self.factories:
            data[name] = default()
        data.update(values)
        state = ModelState()
        if related:
            state.fields_cache = dict(related)
        obj._state = state
        return obj


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
    row = _row_maker(fields, timezone.now())
    connection.ensure_connection()
    with connection.wrap_database_errors:  # a unique receipt taken meanwhile: Django's IntegrityError, as an INSERT gives
        with connection.connection.cursor() as cursor, cursor.copy(f"COPY {meta.db_table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(row(obj))
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
