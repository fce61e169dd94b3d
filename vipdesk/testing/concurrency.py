"""Real races for PostgreSQL tests: n threads, each with its own connection, released at the same instant."""
import threading

from django.db import connections


def race(n, fn):
    """Run fn(i) in n threads released at once; returns [(result, error)] in thread order."""
    barrier = threading.Barrier(n)
    out = [None] * n

    def run(i):
        try:
            barrier.wait()
            out[i] = (fn(i), None)
        except Exception as exc:  # noqa: BLE001 - the test inspects every outcome
            out[i] = (None, exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def lock_waiters() -> int:
    """How many other sessions of this database wait on a lock right now (PostgreSQL)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                       " AND pid <> pg_backend_pid()")
        return int(cursor.fetchone()[0])


def race_behind_row_lock(n, fn, model, timeout=30.0, **lookup):
    """Run fn(i) in n threads that all queue behind a row lock another session holds: the lock is
    released only once all n wait on a lock, so each has done what it does before locking the
    row (its reads) while none has written. Returns [(result, error)] in thread order."""
    import time

    from django.db import transaction

    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                model.objects.select_for_update().get(**lookup)
                locked.set()
                release.wait(timeout)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    if not locked.wait(timeout):
        raise TimeoutError("could not take the row lock")
    out = []
    racers = threading.Thread(target=lambda: out.extend(race(n, fn)))
    racers.start()
    deadline = time.monotonic() + timeout
    try:
        while lock_waiters() < n:
            if time.monotonic() > deadline or not racers.is_alive():
                raise TimeoutError(f"only {lock_waiters()} of {n} racers reached the lock")
            time.sleep(0.01)  # polling an observable condition, not standing in for it
    finally:
        release.set()
        holder.join()
        racers.join()
    return out
