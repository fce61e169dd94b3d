"""Loading the demo chain: one transaction, so a failed load leaves nothing half-made."""
from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from django.db import transaction

from vipdesk.care.jobs import care_run_daily
from vipdesk.care.services import care_rules_install_default
from vipdesk.core import clock

from .chain import build_chain, demo_present
from .history import load_history
from .members import load_members
from .people import PeopleFactory
from .portal import portal_demo_member_make

DEFAULT_SEED = 2026


@transaction.atomic
def demo_load(*, members: int, seed: int = DEFAULT_SEED, progress=None) -> Counter | None:
    """Create 示例百货 with its staff, `members` members and their purchase history; None when the demo is already there."""
    if demo_present():
        return None
    rng = random.Random(seed)
    people = PeopleFactory(rng)
    chain = build_chain(rng, people)
    stats = load_members(count=members, rng=rng, people=people, chain=chain)
    stats["staff"] = len(chain["staff"])
    for key, value in load_history(chain=chain, rng=rng, yesterday=clock.today() - dt.timedelta(days=1),
                                     progress=progress).items():
        stats[key] = value
    # Care rules come after the history, so its years of daily runs make no tasks; today's are made now.
    care_rules_install_default()
    stats["care_tasks"] = care_run_daily(on=clock.today())["created"]
    stats["portal_member"] = 1 if portal_demo_member_make() is not None else 0  # the member centre's demo member
    return stats
