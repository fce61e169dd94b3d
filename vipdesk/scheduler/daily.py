"""The daily jobs on a clock: which business dates are due, and running them oldest first under one lock.

Business date. `run_jobs(on=D)` does what is due at the *start* of business date D: it expires points
whose last valid day was before D, unlocks points usable from D, ends tier overrides that ran out
before D and flags cards dormant as of D (the same meaning as `vipdesk run-jobs`, whose default is
today). So the task that fires at VIPDESK["DAILY_JOBS_AT"] (default 00:10 Asia/Shanghai) runs
today's date — the business date that has just begun — and before that time of day the newest due
date is still yesterday.

Catch-up. Every run does all dates after the last *completed* one (every registered part recorded in
JobRun) up to the newest due date, oldest first, at most CATCH_UP_DAYS dates. A date before the last
completed one is never run: the dormant-card pass for an older date would undo newer flags. A
database with no JobRun at all starts at the newest due date (nothing was missed). A failing date
stops the run there, so the next run starts again with it.

Lock. One runner per database at a time (see `daily_jobs_lock`); `run_jobs` is idempotent anyway,
the lock only keeps two consumers from doing the same dates twice over, or out of order.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import zlib
from pathlib import Path
from typing import Iterator

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from vipdesk.core.clock import store_tz

from . import registry
from .models import JobRun
from .runs import run_jobs

logger = logging.getLogger("vipdesk.scheduler")

DEFAULT_AT = "00:10"
DEFAULT_CATCH_UP_DAYS = 31
LOCK_NAME = "vipdesk.daily_jobs"
PG_LOCK_KEY = zlib.crc32(LOCK_NAME.encode())  # pg_advisory_lock(bigint); advisory locks are per database
_thread_lock = threading.Lock()  # only where fcntl is missing (Windows)


def daily_jobs_at() -> dt.time:
    """VIPDESK["DAILY_JOBS_AT"] as a time of day, store local time."""
    raw = str(settings.VIPDESK.get("DAILY_JOBS_AT") or DEFAULT_AT).strip()
    try:
        hour, minute = (int(part) for part in raw.split(":"))
        return dt.time(hour, minute)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"VIPDESK['DAILY_JOBS_AT'] must be HH:MM (store local time), not {raw!r}.") from None


def catch_up_days() -> int:
    return max(1, int(settings.VIPDESK.get("CATCH_UP_DAYS") or DEFAULT_CATCH_UP_DAYS))


def is_due(timestamp: dt.datetime, *, utc: bool = True) -> bool:
    """Huey's periodic check, made once a minute: true during the configured minute at the store.
    Huey passes a naive timestamp, in UTC when the Huey instance has utc=True (our setting), else in
    the process's local time."""
    if timestamp.tzinfo is None:
        timestamp = timestamp.replace(tzinfo=dt.timezone.utc) if utc else timestamp.astimezone()
    local = timestamp.astimezone(store_tz())
    at = daily_jobs_at()
    return (local.hour, local.minute) == (at.hour, at.minute)


def latest_due_date(at: dt.datetime | None = None) -> dt.date:
    """The newest business date whose jobs are due at `at` (default now): today at the store once
    the daily time has passed, yesterday before it."""
    local = (at or timezone.now()).astimezone(store_tz())
    start = daily_jobs_at()
    day = local.date()
    return day if (local.hour, local.minute) >= (start.hour, start.minute) else day - dt.timedelta(days=1)


def last_completed_date(upto: dt.date) -> dt.date | None:
    """The newest date (not after `upto`) on which every part of the daily job is recorded."""
    parts = registry.names()
    row = (JobRun.objects.filter(job__in=parts, date__lte=upto).order_by().values("date")
           .annotate(parts=Count("job")).filter(parts=len(parts)).order_by("-date").first())
    return row["date"] if row else None


def due_dates(latest: dt.date) -> list[dt.date]:
    """The dates to run now, oldest first: after the last completed date, up to `latest`."""
    last = last_completed_date(latest)
    if last is not None:
        start = last + dt.timedelta(days=1)
    else:  # never completed: from the oldest partial run, or (a new database) just the latest date
        start = JobRun.objects.filter(date__lte=latest).order_by("date").values_list("date", flat=True).first() or latest
    floor = latest - dt.timedelta(days=catch_up_days() - 1)
    if start < floor:
        logger.warning("daily jobs: %s to %s were missed and are more than %s days back; not run automatically",
                       start, floor - dt.timedelta(days=1), catch_up_days())
        start = floor
    return [start + dt.timedelta(days=n) for n in range((latest - start).days + 1)]


@contextlib.contextmanager
def daily_jobs_lock() -> Iterator[bool]:
    """Yield True when this runner holds the daily-jobs lock, False when another one does.

    PostgreSQL: a session advisory lock, released with the connection if the consumer dies.
    SQLite (one machine by nature): an exclusive flock on `<data dir>/daily-jobs.lock`, released by
    the OS if the process dies; a plain in-process lock where flock is missing (Windows)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [PG_LOCK_KEY])
            held = bool(cursor.fetchone()[0])
        try:
            yield held
        finally:
            if held:
                try:
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_unlock(%s)", [PG_LOCK_KEY])
                except Exception:  # a dead connection has released it already
                    logger.warning("daily jobs: could not release the advisory lock", exc_info=True)
        return
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        held = _thread_lock.acquire(blocking=False)
        try:
            yield held
        finally:
            if held:
                _thread_lock.release()
        return
    path = Path(settings.DATA_DIR) / "daily-jobs.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held = True
        except OSError:
            held = False
        try:
            yield held
        finally:
            if held:
                fcntl.flock(handle, fcntl.LOCK_UN)


def run_due(at: dt.datetime | None = None) -> dict:
    """Run every due business date, oldest first (the body of the periodic task)."""
    latest = latest_due_date(at)
    with daily_jobs_lock() as held:
        if not held:
            logger.info("daily jobs: another consumer is running them; skipped")
            return {"latest": latest.isoformat(), "ran": [], "locked": True}
        ran = []
        for day in due_dates(latest):
            try:
                results = run_jobs(on=day)
            except Exception:
                logger.exception("daily jobs for %s failed; the next run starts again with this date", day)
                raise
            logger.info("daily jobs for %s: %s", day, {k: ("already done" if v is None else v) for k, v in results.items()})
            ran.append(day.isoformat())
    return {"latest": latest.isoformat(), "ran": ran, "locked": False}
