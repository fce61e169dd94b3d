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
