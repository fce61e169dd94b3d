"""The set-based writes of grading: an import's checked rows into `Holding`, a month's grades into
`MonthGrade`. Two paths sharing everything before them (the file's checking, the grading rules):

- PostgreSQL: the rows are COPYed (psycopg's `cursor.copy`) into a temporary table dropped at
  commit, then written with one `INSERT … SELECT … ON CONFLICT` statement: a row already there
  with the same figures is left alone (`WHERE … IS DISTINCT FROM`), a row with other figures is
  updated, and `RETURNING xmax = 0` tells the new rows from the updated ones.
- elsewhere (SQLite, the embedded default): the rows already there are read in chunks and compared
  in Python, then written with `bulk_create` / `bulk_update` in batches.

Both give the same rows and the same counts (tests/test_bulk.py runs both on PostgreSQL).
"""
from __future__ import annotations

from django.db import connection, transaction

from vipdesk.members.models import Member

from .models import BalanceImport, Holding, MonthGrade

CHUNK = 5000
# The columns of a checked row (imports.ROW with the customer's id in place of the number).
HOLDING_COLUMNS = ("member_id", "on", "product_code", "product_name", "kind", "balance", "average_balance", "fee_income",
                   "activity", "opened_on", "maturity_on")
COMPARED = HOLDING_COLUMNS[3:]
GRADE_COLUMNS = ("member_id", "aum", "score", "band_code", "level_code", "months_below")


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def member_ids_of(numbers) -> dict[str, int]:
    """Customer number → id, looked up in chunks (no statement with tens of thousands of parameters)."""
    ordered, out = sorted(numbers), {}
    if on_postgresql():  # one statement, the numbers as one array parameter
        with connection.cursor() as cur:
            cur.execute(f"SELECT member_no, id FROM {Member._meta.db_table} WHERE member_no = ANY(%s)", [ordered])
            return dict(cur.fetchall())
    for start in range(0, len(ordered), CHUNK):
        out.update(Member.objects.filter(member_no__in=ordered[start:start + CHUNK]).values_list("member_no", "pk"))
    return out


def holdings_write(job: BalanceImport, rows: list, frequency: str) -> tuple[int, int]:
    """Write checked rows (tuples in HOLDING_COLUMNS order) for `job`; returns (new, updated)."""
    if not rows:
        return 0, 0
    return (_holdings_copy if on_postgresql() else _holdings_portable)(job, rows, frequency)


def _copy(cur, table: str, columns: tuple[str, ...], rows) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    with cur.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _holdings_copy(job: BalanceImport, rows: list, frequency: str) -> tuple[int, int]:
    table = Holding._meta.db_table
    names = ", ".join(f'"{c}"' for c in HOLDING_COLUMNS)
    differs = " OR ".join(f'h."{c}" IS DISTINCT FROM EXCLUDED."{c}"' for c in COMPARED)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"CREATE TEMPORARY TABLE grading_stage ON COMMIT DROP AS SELECT {names} FROM {table} WITH NO DATA")
        _copy(cur, "grading_stage", HOLDING_COLUMNS, rows)
        cur.execute(f"""
            WITH written AS (
              INSERT INTO {table} AS h ({names}, "frequency", "source_id")
              SELECT {names}, %s, %s FROM grading_stage
              ON CONFLICT ("member_id", "on", "product_code") DO UPDATE SET
                {", ".join(f'"{c}" = EXCLUDED."{c}"' for c in COMPARED)},
                "frequency" = EXCLUDED."frequency", "source_id" = EXCLUDED."source_id"
              WHERE {differs}
              RETURNING (xmax = 0) AS inserted)
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written""",
                    [frequency, job.pk])
        new, updated = cur.fetchone()
        cur.execute("DROP TABLE grading_stage")
    return new, updated


def _holdings_portable(job: BalanceImport, rows: list, frequency: str) -> tuple[int, int]:
    dates = sorted({r[1] for r in rows})
    ordered = sorted({r[0] for r in rows})
    existing = {}
    for start in range(0, len(ordered), CHUNK):  # the rows of these customers on these dates, in chunks
        lookup = Holding.objects.filter(on__in=dates, member_id__in=ordered[start:start + CHUNK])
        for h in lookup.only("pk", "member_id", "on", "product_code", *COMPARED).iterator(chunk_size=CHUNK):
            existing[(h.member_id, h.on, h.product_code)] = h
    new, changed = [], []
    for row in rows:
        values = dict(zip(COMPARED, row[3:]))
        found = existing.get((row[0], row[1], row[2]))
        if found is None:
            new.append(Holding(member_id=row[0], on=row[1], product_code=row[2], frequency=frequency, source=job, **values))
        elif any(getattr(found, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(found, k, v)
            found.source, found.frequency = job, frequency
            changed.append(found)
    Holding.objects.bulk_create(new, batch_size=CHUNK)
    Holding.objects.bulk_update(changed, [*COMPARED, "source", "frequency"], batch_size=1000)
    return len(new), len(changed)


def grades_write(month, grades: list[tuple]) -> None:
    """Upsert a month's grades: tuples in GRADE_COLUMNS order, one per customer."""
    if not grades:
        return
    if not on_postgresql():
        MonthGrade.objects.bulk_create(
            [MonthGrade(month=month, **dict(zip(GRADE_COLUMNS, g))) for g in grades], batch_size=CHUNK // 2,
            update_conflicts=True, unique_fields=["member", "month"], update_fields=list(GRADE_COLUMNS[1:]))
        return
    table = MonthGrade._meta.db_table
    names = ", ".join(f'"{c}"' for c in GRADE_COLUMNS)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"CREATE TEMPORARY TABLE grading_grade_stage ON COMMIT DROP AS SELECT {names} FROM {table} WITH NO DATA")
        _copy(cur, "grading_grade_stage", GRADE_COLUMNS, grades)
        cur.execute(f"""
            INSERT INTO {table} AS g ("month", {names}) SELECT %s, {names} FROM grading_grade_stage
            ON CONFLICT ("member_id", "month") DO UPDATE SET
              {", ".join(f'"{c}" = EXCLUDED."{c}"' for c in GRADE_COLUMNS[1:])}
            WHERE ({", ".join(f'g."{c}"' for c in GRADE_COLUMNS[1:])})
              IS DISTINCT FROM ({", ".join(f'EXCLUDED."{c}"' for c in GRADE_COLUMNS[1:])})""", [month])
        cur.execute("DROP TABLE grading_grade_stage")

