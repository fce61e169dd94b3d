"""Loading the demo chain: one transaction, so a failed load leaves nothing half-made."""
from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from django.db import transaction

from vipdesk.core import clock

from .chain import build_chain, demo_present
from .history import load_history
from .members import load_members
from .people import PeopleFactory

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
    return stats
