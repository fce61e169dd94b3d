"""The embedded default's queue consumer: a Huey consumer on threads inside the web server process,
so `vipdesk demo` runs the daily jobs with no other server. Production runs `vipdesk run_huey`
instead (docs/operations.md).

Huey's own Consumer does the work (scheduler thread for periodic tasks, one worker thread, health
checks that restart a dead thread); only its signal handling is left out, because the web server in
the main thread owns SIGINT/SIGTERM.
"""
from __future__ import annotations

import logging
import threading

from django.utils.module_loading import autodiscover_modules
from huey.consumer import Consumer

logger = logging.getLogger("vipdesk.scheduler")


class EmbeddedConsumer(Consumer):
    """A Huey consumer run from a background thread of another program."""

    thread: threading.Thread | None = None

    def _set_signal_handlers(self):
        pass  # the host program (waitress) handles the signals; we are stopped with `stop()`

    def start_in_background(self) -> "EmbeddedConsumer":
        self.thread = threading.Thread(target=self.run, name="huey-consumer", daemon=True)
        self.thread.start()
        return self

    def shutdown(self, timeout: float = 5.0) -> None:
        """Ask the threads to stop; a task still running after `timeout` is abandoned with the
        process (each part of the daily job is one transaction, so nothing half-done is kept)."""
        self.shutdown_timeout = timeout
        self.stop(graceful=True)
        if self.thread is not None:
            self.thread.join(timeout)


def start_embedded_consumer(huey=None, *, workers: int = 1) -> EmbeddedConsumer | None:
    """Start a thread consumer for `huey` (default: the project's queue). Returns None, doing
    nothing, in immediate mode (there is no queue to consume)."""
    if huey is None:
        from huey.contrib.djhuey import HUEY as huey
    if huey.immediate:
        logger.info("task queue in immediate mode: no consumer started")
        return None
    autodiscover_modules("tasks")  # as run_huey does: every app's tasks are registered
    consumer = EmbeddedConsumer(huey, workers=workers, worker_type="thread", periodic=True)
    return consumer.start_in_background()


def describe(huey=None) -> str:
    """One line naming the queue's storage, for the demo's banner."""
    if huey is None:
        from huey.contrib.djhuey import HUEY as huey
    storage = huey.storage
    where = getattr(storage, "filename", None)
    if where is None:
        kwargs = storage.conn.connection_pool.connection_kwargs if hasattr(storage, "conn") else {}
        where = f"redis://{kwargs.get('host', '?')}:{kwargs.get('port', '?')}/{kwargs.get('db', 0)}" if kwargs else type(storage).__name__
    return f"{type(huey).__name__} {huey.name} @ {where}"
