"""The daily jobs on a clock: business date at the store, catch-up, idempotency, the lock."""
import datetime as dt
import logging
import threading
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connections
from huey.contrib.djhuey import HUEY

from vipdesk.scheduler import registry
from vipdesk.scheduler.registry import swap_part
from vipdesk.scheduler.models import JobRun
from vipdesk.scheduler import daily, tasks
from vipdesk.scheduler.daily import daily_jobs_lock, due_dates, is_due, latest_due_date, run_due

from .conftest import complete, dates_run, shanghai

D = dt.date
UTC = dt.timezone.utc


# ---- the clock: which minute fires, which business date it runs ---------------------------------

@pytest.mark.parametrize("utc_time, due", [
    ((2026, 5, 1, 16, 9), False),   # 00:09 on 2 May in Shanghai
    ((2026, 5, 1, 16, 10), True),   # 00:10 on 2 May in Shanghai
    ((2026, 5, 1, 16, 11), False),
    ((2026, 5, 2, 0, 10), False),   # 00:10 UTC is 08:10 in Shanghai
])
def test_the_task_fires_at_ten_past_midnight_shanghai(utc_time, due):
    naive_utc = dt.datetime(*utc_time)  # what Huey's scheduler passes (utc=True)
    assert is_due(naive_utc) is due
    assert (tasks.daily_jobs.task_class in {type(t) for t in HUEY.read_periodic(naive_utc)}) is due


def test_a_local_naive_timestamp_when_huey_is_not_utc(monkeypatch):
    # Django sets the process time zone to TIME_ZONE, so a naive local timestamp is Shanghai time
    assert is_due(dt.datetime(2026, 5, 2, 0, 10), utc=False)
    assert not is_due(dt.datetime(2026, 5, 2, 0, 10), utc=True)


@pytest.mark.parametrize("local, expected", [
    ((2026, 5, 1, 23, 59), D(2026, 5, 1)),
    ((2026, 5, 2, 0, 0), D(2026, 5, 1)),      # midnight has passed, the jobs' time has not
    ((2026, 5, 2, 0, 9, 59), D(2026, 5, 1)),
    ((2026, 5, 2, 0, 10), D(2026, 5, 2)),     # the business date that has just begun
    ((2026, 5, 2, 15, 0), D(2026, 5, 2)),
    ((2027, 1, 1, 0, 10), D(2027, 1, 1)),
])
def test_the_newest_due_business_date_around_midnight(local, expected):
    at = shanghai(*local)
    assert latest_due_date(at) == expected
    assert latest_due_date(at.astimezone(UTC)) == expected  # the same instant, however it is written


def test_the_time_is_configurable(settings):
    settings.VIPDESK = {**settings.VIPDESK, "DAILY_JOBS_AT": "03:30"}
    assert is_due(dt.datetime(2026, 5, 1, 19, 30)) and not is_due(dt.datetime(2026, 5, 1, 16, 10))
    assert latest_due_date(shanghai(2026, 5, 2, 3, 29)) == D(2026, 5, 1)
    assert latest_due_date(shanghai(2026, 5, 2, 3, 30)) == D(2026, 5, 2)


@pytest.mark.parametrize("bad", ["25:00", "0010", "00:10:00", "noon"])
def test_a_bad_time_is_refused_by_the_system_check(settings, bad):
    settings.VIPDESK = {**settings.VIPDESK, "DAILY_JOBS_AT": bad}
    with pytest.raises(ImproperlyConfigured):
        daily.daily_jobs_at()
    from vipdesk.scheduler.checks import daily_jobs_time

    assert [e.id for e in daily_jobs_time()] == ["vipdesk.E101"]


@pytest.mark.django_db
def test_the_task_runs_the_date_that_has_just_begun(clock, calls):
    clock.set(shanghai(2026, 5, 2, 0, 10, 3))
    tasks.daily_jobs()  # immediate mode: enqueued and run here
    assert dates_run(calls) == [D(2026, 5, 2)]
    assert sorted(JobRun.objects.values_list("job", "date")) == sorted((name, D(2026, 5, 2)) for name in registry.names())


# ---- catch-up -------------------------------------------------------------------------------

@pytest.mark.django_db
def test_catch_up_runs_the_missed_dates_oldest_first_and_only_those(clock, calls):
    complete(D(2026, 4, 20), D(2026, 4, 27))
    clock.set(shanghai(2026, 5, 1, 9, 0))  # the server was down from 28 April until this morning
    out = run_due()
    expected = [D(2026, 4, 28), D(2026, 4, 29), D(2026, 4, 30), D(2026, 5, 1)]
    assert dates_run(calls) == expected
    assert calls == [(name, day) for day in expected for name in registry.names()]  # parts in order, each date whole
    assert out == {"latest": "2026-05-01", "ran": [d.isoformat() for d in expected], "locked": False}


@pytest.mark.django_db
def test_a_partly_run_date_is_finished_first(clock, calls):
    complete(D(2026, 4, 28))
    JobRun.objects.create(job="points", date=D(2026, 4, 29))  # tiers failed that night
    clock.set(shanghai(2026, 4, 30, 0, 10))
    run_due()
    rest = [name for name in registry.names() if name != "points"]
    assert calls == [(name, D(2026, 4, 29)) for name in rest] + [(name, D(2026, 4, 30)) for name in registry.names()]


@pytest.mark.django_db
def test_nothing_older_than_the_last_completed_date_is_run(clock, calls):
    complete(D(2026, 4, 30))
    JobRun.objects.create(job="points", date=D(2026, 4, 28))  # an old gap stays a gap: no going back
    clock.set(shanghai(2026, 5, 1, 0, 10))
    assert due_dates(D(2026, 5, 1)) == [D(2026, 5, 1)]
    run_due()
    assert dates_run(calls) == [D(2026, 5, 1)]


@pytest.mark.django_db
def test_catch_up_is_bounded(clock, calls, caplog):
    complete(D(2026, 1, 1))
    clock.set(shanghai(2026, 5, 1, 12, 0))
    with caplog.at_level(logging.WARNING, logger="vipdesk.scheduler"):
        run_due()
    ran = dates_run(calls)
    assert len(ran) == 31 and ran[0] == D(2026, 4, 1) and ran[-1] == D(2026, 5, 1)
    assert "not run automatically" in caplog.text


@pytest.mark.django_db
def test_a_new_database_runs_only_the_newest_date(clock, calls):
    clock.set(shanghai(2026, 5, 1, 0, 9))
    run_due()
    assert dates_run(calls) == [D(2026, 4, 30)]


@pytest.mark.django_db
def test_a_future_date_run_by_hand_does_not_count(clock, calls):
    complete(D(2026, 4, 29), D(2026, 5, 10))
    clock.set(shanghai(2026, 5, 1, 0, 10))
    run_due()
    assert dates_run(calls) == [D(2026, 4, 30), D(2026, 5, 1)]


@pytest.mark.django_db
def test_running_twice_changes_nothing(clock, calls):
    complete(D(2026, 4, 28))
    clock.set(shanghai(2026, 5, 1, 0, 10))
    first = run_due()
    rows = list(JobRun.objects.order_by("pk").values())
    calls_after_first = list(calls)
    second = run_due()
    tasks.daily_jobs()
    call_command("run_jobs", "--date", "2026-05-01", stdout=StringIO())
    assert first["ran"] == ["2026-04-29", "2026-04-30", "2026-05-01"] and second["ran"] == []
    assert list(JobRun.objects.order_by("pk").values()) == rows
    assert calls == calls_after_first


@pytest.mark.django_db
def test_a_failing_date_stops_the_run_and_is_first_next_time(clock, calls, monkeypatch):
    complete(D(2026, 4, 28))
    clock.set(shanghai(2026, 5, 1, 0, 10))
    tiers = registry.jobs()["tiers"].run

    def broken(*, on):
        if on == D(2026, 4, 29):
            raise RuntimeError("database went away")
        return tiers(on=on)

    swap_part(monkeypatch, "tiers", broken)
    with pytest.raises(RuntimeError):
        run_due()
    assert not JobRun.objects.filter(date__gt=D(2026, 4, 29)).exists()
    swap_part(monkeypatch, "tiers", tiers)
    del calls[:]
    assert run_due()["ran"] == ["2026-04-29", "2026-04-30", "2026-05-01"]
    assert calls[:2] == [("tiers", D(2026, 4, 29)), ("birthday_coupons", D(2026, 4, 29))]


# ---- the lock -------------------------------------------------------------------------------

def hold_lock_in_another_thread():
    """Take the daily-jobs lock from another thread (its own database connection); release with .set()."""
    taken, release = threading.Event(), threading.Event()
    state = {}

    def hold():
        try:
            with daily_jobs_lock() as held:
                state["held"] = held
                taken.set()
                release.wait(10)
        finally:
            connections.close_all()
            taken.set()

    thread = threading.Thread(target=hold)
    thread.start()
    assert taken.wait(10) and state["held"]
    return release, thread


@pytest.mark.django_db
def test_a_second_runner_skips_while_the_lock_is_held(clock, calls):
    clock.set(shanghai(2026, 5, 1, 0, 10))
    release, thread = hold_lock_in_another_thread()
    try:
        assert run_due() == {"latest": "2026-05-01", "ran": [], "locked": True}
        with daily_jobs_lock() as held:
            assert not held
    finally:
        release.set()
        thread.join()
    assert calls == [] and not JobRun.objects.exists()
    assert run_due()["ran"] == ["2026-05-01"]  # released: the next runner does the work
