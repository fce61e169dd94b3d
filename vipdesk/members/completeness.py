"""Profile completeness (R1.2): the weighted share of filled file fields, 0–100."""
from __future__ import annotations

from django.conf import settings


def weights() -> dict[str, int]:
    return settings.VIPDESK["COMPLETENESS_WEIGHTS"]


def _filled(member, field: str) -> bool:
    value = getattr(member, field, None)
    if field == "gender":
        return value in ("M", "F")
    if field == "birthday":
        return bool(value) or bool(member.lunar_birth_month)
    return bool(value)


def completeness_score(member) -> int:
    w = weights()
    total = sum(w.values())
    if not total:
        return 0
    got = sum(weight for field, weight in w.items() if _filled(member, field))
    return round(100 * got / total)
