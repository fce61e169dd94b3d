"""Huey task of the sales import (found by the queue's autodiscovery, like webhooks/tasks.py):
`process_sales_batch(batch_id)`, enqueued after the commit of the request that stored the batch;
inline under pytest (immediate mode), on the worker otherwise."""
from __future__ import annotations

from huey.contrib.djhuey import HUEY

from vipdesk.scheduler.tasks import _with_db

from .services import batch_process


def register(huey):
    def process_sales_batch(batch_id: int) -> str | None:
        batch = batch_process(batch_id)
        return batch.status if batch is not None else None

    return huey.task(name="process_sales_batch")(_with_db(huey, process_sales_batch))


process_sales_batch = register(HUEY)
