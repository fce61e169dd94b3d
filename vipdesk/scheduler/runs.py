"""Running the daily parts for one business date (`vipdesk run-jobs`, and the periodic task).

A JobRun row (unique per part and date) is claimed before a part runs, in the same transaction as its
work: running the same date again — or twice at once — finds the claim and changes nothing. Each part
is set-based SQL in its own app, not a loop over members. The parts and their order come from the
registry (vipdesk/scheduler/registry.py): dormant cards, points, tiers, birthday coupons, complaints,
segments, the weekly lifetime-value refit, care tasks.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Callable

from django.db import IntegrityError, transaction

from . import registry
from .models import JobRun


def _plain(result) -> dict:
    return json.loads(json.dumps(result if isinstance(result, dict) else {"result": result}, default=str))


def run_jobs(*, on: dt.date, only: list[str] | None = None,
             report: Callable[[str, dict | None], None] | None = None) -> dict[str, dict | None]:
    """Run every due part for the business date; a part already run for it is skipped (None).
    `report(name, result)` is called for each part as soon as it has committed (or was found done),
    before the next part starts, so a run stopped half-way has told what it finished."""
    out: dict[str, dict | None] = {}
    for name in registry.names():
        if only and name not in only:
            continue
        out[name] = _run_part(name, on)
        if report is not None:
            report(name, out[name])
    return out


def _run_part(name: str, on: dt.date) -> dict | None:
    if JobRun.objects.filter(job=name, date=on).exists():
        return None
    try:
        with transaction.atomic():
            run = JobRun.objects.create(job=name, date=on)  # the claim: a twin run blocks here, then fails
            run.result = _plain(registry.run_part(name, on=on))
            run.save(update_fields=["result"])
    except IntegrityError:
        if not JobRun.objects.filter(job=name, date=on).exists():
            raise  # not the claim: the job itself failed
        return None
    return run.result
