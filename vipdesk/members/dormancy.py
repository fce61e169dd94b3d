"""R2.6 休眠卡: cards whose member has bought nothing for N months (VIPDESK["DORMANT_MONTHS"], 12).

The rule reads the member file's own `last_purchase_at` (kept current by every sale posting and by
the import of past transactions), so it needs nothing from the apps above members."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from vipdesk.core.clock import store_tz
from vipdesk.core.dates import months_before

from .choices import CardStatus
from .models import Card, DormantCard

BATCH = 2000


def dormant_months() -> int:
    return int(settings.VIPDESK.get("DORMANT_MONTHS", 12))


def dormant_cards_flag(*, on: dt.date) -> dict:
    """Flag active cards, issued before the cutoff, whose member's last purchase is on or before the
    cutoff day (or who never bought); clear the flag of cards whose member bought since or that are
    no longer active. One DELETE, one SELECT and batched INSERTs."""
    cutoff = months_before(on, dormant_months())
    # The first instant after the cutoff day, store time: a purchase from then on keeps a card awake.
    awake_from = timezone.make_aware(dt.datetime.combine(cutoff + dt.timedelta(days=1), dt.time.min), store_tz())
    bought_since = Q(member__last_purchase_at__gte=awake_from)
    with transaction.atomic():
        woke, _ = DormantCard.objects.filter(~Q(card__status=CardStatus.ACTIVE) | Q(**{
            "card__member__last_purchase_at__gte": awake_from})).delete()
        sleeping = (Card.objects.filter(status=CardStatus.ACTIVE, issued_at__lt=awake_from, dormancy__isnull=True)
                    .exclude(bought_since)
                    .annotate(last_day=TruncDate("member__last_purchase_at", tzinfo=store_tz()))
                    .values_list("pk", "last_day"))
        rows = [DormantCard(card_id=pk, since=on, last_purchase_on=last_day) for pk, last_day in sleeping.iterator()]
        DormantCard.objects.bulk_create(rows, batch_size=BATCH)
    return {"flagged": len(rows), "woke": woke, "cutoff": cutoff.isoformat()}
