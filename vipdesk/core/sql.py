"""Quoting for the few statements written as SQL text (set-based jobs, reports, analytics).

Identifiers come from the models, never from input; values are always query parameters. The same
text runs on SQLite and PostgreSQL, each quoting names its own way.
"""
from __future__ import annotations

from django.db import connection


def quote_name(name: str) -> str:
    """A column or table name quoted for the database in use (`on` is a keyword, for one)."""
    return connection.ops.quote_name(name)


def model_table(model) -> str:
    """The quoted table name of a model."""
    return quote_name(model._meta.db_table)
