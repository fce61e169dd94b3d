"""The daily job (`vipdesk run-jobs`): everything due on one business date, each part once.

A JobRun row (unique per job and date) is claimed before a part runs, in the same transaction
as its work: running the same date again — or twice at once — finds the claim and changes
nothing. Each part is set-based SQL, not a loop over members.
"""
from __future__ import annotations

import calendar
import datetime as dt
import json
from typing import Callable

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from vipdesk.members.choices import CardStatus
from vipdesk.members.models import Card

from .models import DormantCard, JobRun, Sale


def months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def dormant_months() -> int:
    return int(settings.VIPDESK.get("DORMANT_MONTHS", 12))


def dormant_cards_flag(*, on: dt.date) -> dict:
    """R2.6 休眠卡: flag active cards whose member has had no sale or return for N months (and
    that were issued before then); clear the flag of cards whose member bought again or that are
    no longer active. One INSERT … SELECT and one DELETE."""
    cutoff = months_before(on, dormant_months())
    q = connection.ops.quote_name
    sale, card, dormant = q(Sale._meta.db_table), q(Card._meta.db_table), q(DormantCard._meta.db_table)
    cutoff_start = dt.datetime.combine(cutoff + dt.timedelta(days=1), dt.time.min)
    from django.utils import timezone

    cutoff_start = timezone.make_aware(cutoff_start)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            DELETE FROM {dormant} WHERE card_id IN (
                SELECT c.id FROM {card} c WHERE c.status <> %s
                   OR EXISTS (SELECT 1 FROM {sale} s WHERE s.member_id = c.member_id AND s.business_date > %s))
            """,
            [CardStatus.ACTIVE, cutoff],
        )
        woke = cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO {dormant} (card_id, since, last_purchase_on)
            SELECT c.id, %s, (SELECT MAX(s.business_date) FROM {sale} s WHERE s.member_id = c.member_id)
            FROM {card} c
            WHERE c.status = %s AND c.issued_at < %s
              AND NOT EXISTS (SELECT 1 FROM {sale} s WHERE s.member_id = c.member_id AND s.business_date > %s)
              AND NOT EXISTS (SELECT 1 FROM {dormant} d WHERE d.card_id = c.id)
            """,
            [on, CardStatus.ACTIVE, cutoff_start, cutoff],
        )
        flagged = cursor.rowcount
    return {"flagged": flagged, "woke": woke, "cutoff": cutoff.isoformat()}


def _points(*, on: dt.date) -> dict:
    from vipdesk.points.services import points_run_daily

    return points_run_daily(on=on)


def _tiers(*, on: dt.date) -> dict:
    from vipdesk.tiers.retention import tier_run_daily

    return tier_run_daily(on=on)


def _complaints(*, on: dt.date) -> dict:
    from vipdesk.feedback.services import complaints_escalate

    return complaints_escalate(on=on)


def _birthday_coupons(*, on: dt.date) -> dict:
    from vipdesk.coupons.services import coupons_birthday_daily

    return coupons_birthday_daily(on=on)


def _segments(*, on: dt.date) -> dict:
    from vipdesk.analytics.classify import snapshot_take

    return snapshot_take(on=on)


def _clv(*, on: dt.date) -> dict:
    """Refit the lifetime-value models once a week (Mondays) on everything up to the day before."""
    if on.isoweekday() != 1:
        return {"skipped": "not Monday"}
    from vipdesk.analytics.clv import clv_refresh

    return clv_refresh(on=on - dt.timedelta(days=1))


def _care(*, on: dt.date) -> dict:
    from vipdesk.care.generation import care_run_daily

    return care_run_daily(on=on)


# Order matters: points expire and unlock first, then tiers are evaluated, then dormancy; birthday
# coupons go by the level reached; the classification snapshot sees the day's tiers (SVIP); care
# last, as it reads what the others left (expiring lots, tier changes, dormant cards).
JOBS: dict[str, Callable[..., dict]] = {"points": _points, "tiers": _tiers, "dormant_cards": dormant_cards_flag,
                                        "birthday_coupons": _birthday_coupons, "complaints": _complaints,
                                        "segments": _segments, "clv": _clv, "care": _care}


def _plain(result) -> dict:
    return json.loads(json.dumps(result if isinstance(result, dict) else {"result": result}, default=str))


def run_jobs(*, on: dt.date, only: list[str] | None = None,
             report: Callable[[str, dict | None], None] | None = None) -> dict[str, dict | None]:
    """Run every due part for the business date; a part already run for it is skipped (None).
    `report(name, result)` is called for each part as soon as it has committed (or was found done),
    before the next part starts, so a run stopped half-way has told what it finished."""
    out: dict[str, dict | None] = {}
    for name in list(JOBS):
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
            run.result = _plain(JOBS[name](on=on))
            run.save(update_fields=["result"])
    except IntegrityError:
        if not JobRun.objects.filter(job=name, date=on).exists():
            raise  # not the claim: the job itself failed
        return None
    return run.result
