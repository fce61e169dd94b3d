"""Small SQL building blocks shared by the report sections: the same text runs on SQLite and
PostgreSQL (window functions, CTEs). Table names come from the models, never from input; every
value is a query parameter."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection

from vipdesk.core.money import quantize
# Short names: the report statements quote a name or a table on nearly every line.
from vipdesk.core.sql import model_table as table, quote_name as q
from vipdesk.tiers.models import TierHistory


def in_stores(column: str, store_ids) -> tuple[str, list]:
    """`column IN (…)` for a scope, or a true condition for the whole chain."""
    if store_ids is None:
        return "1=1", []
    if not store_ids:
        return "1=0", []
    return f"{column} IN ({', '.join(['%s'] * len(store_ids))})", list(store_ids)


def level_at(on: dt.date) -> tuple[str, list]:
    """(member_id, level_id) of every member with a tier on `on`: the target of his latest tier
    history row dated on or before that day (tiers write a history row on every change)."""
    sql = (f"SELECT member_id, to_level_id AS level_id FROM ("
           f"SELECT member_id, to_level_id, ROW_NUMBER() OVER (PARTITION BY member_id ORDER BY {q('on')} DESC, id DESC) AS rn "
           f"FROM {table(TierHistory)} WHERE {q('on')} <= %s) latest WHERE rn = 1")
    return sql, [on]


def rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def money(value) -> Decimal:
    """A sum from the database as yuan: SQLite hands decimals back as floats (summed in binary),
    so the value goes through its shortest text form before rounding to the fen."""
    if value is None:
        return Decimal("0.00")
    if isinstance(value, float):
        value = repr(value)
    return quantize(Decimal(value))
