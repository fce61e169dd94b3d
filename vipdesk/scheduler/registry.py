"""The daily jobs' registry: each app declares its own part in its `jobs.py`; the scheduler runs them.

    from vipdesk.scheduler.registry import daily_job

    @daily_job("tiers", after=("points",))
    def tier_job(*, on: dt.date) -> dict: ...

A part is a callable taking the business date and returning a JSON-able dict of what it did. `after`
names the parts that must have run first on the same date (points expire before tiers are evaluated;
care reads what every other part left). The scheduler finds the modules with Django's
`autodiscover_modules("jobs")` when it starts, so it imports none of the apps: the dependencies point
from each app down to the scheduler, never up.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

Part = Callable[..., dict]


@dataclass(frozen=True)
class DailyJob:
    name: str
    run: Part
    after: tuple[str, ...] = ()


_registered: dict[str, DailyJob] = {}
_ordered: dict[str, DailyJob] | None = None


def daily_job(name: str, *, after: tuple[str, ...] = ()) -> Callable[[Part], Part]:
    """Register the decorated function as the daily part `name` (re-registering a name replaces it)."""

    def register(run: Part) -> Part:
        global _ordered
        _registered[name] = DailyJob(name, run, tuple(after))
        _ordered = None
        return run

    return register


def jobs() -> dict[str, DailyJob]:
    """Every registered part by name, in the order they run: each after the parts it names, otherwise
    in the order the apps registered them (INSTALLED_APPS order)."""
    global _ordered
    if _ordered is None:
        unknown = {(job.name, need) for job in _registered.values() for need in job.after if need not in _registered}
        if unknown:
            raise LookupError("daily job(s) run after a part nobody registered: "
                              + ", ".join(f"{name} after {need}" for name, need in sorted(unknown)))
        order: list[str] = []
        pending = list(_registered)
        while pending:  # the first registered part whose predecessors have all been placed, again and again
            ready = next((name for name in pending if set(_registered[name].after) <= set(order)), None)
            if ready is None:
                raise LookupError("daily jobs wait for each other round a loop: " + ", ".join(pending))
            order.append(ready)
            pending.remove(ready)
        _ordered = {name: _registered[name] for name in order}
    return _ordered


def names() -> list[str]:
    return list(jobs())


def run_part(name: str, *, on: dt.date) -> dict:
    return jobs()[name].run(on=on)


def swap_part(monkeypatch, name: str, run: Part) -> None:
    """For tests: run `run` in place of the registered part `name`, in the same place in the order,
    until the test ends (pytest's monkeypatch undoes it)."""
    from dataclasses import replace

    monkeypatch.setitem(jobs(), name, replace(jobs()[name], run=run))
