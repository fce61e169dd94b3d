"""Content rules (R9.2): a greeting carries no advertising (000 篇2 三.1: 节假日及生日短信 … 避忌在信息中
提及店铺在节日有何活动; 换季短信 … 避忌在信息中提及新品上市).

The blocked words are VIPDESK["MESSAGE_BLOCKED_WORDS"] plus the active BlockedWord rows. Chinese
words match anywhere; words in Latin letters match as whole words, case-insensitively ("sale"
blocks "Sale!" but not "wholesale"). The rule is checked when a template is saved and again when
a message is queued and sent, so a word added later stops greetings already waiting.
"""
from __future__ import annotations

import re
from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext as _

from vipdesk.core.errors import ValidationFailed

from .choices import MessageKind
from .models import BlockedWord


def blocked_words() -> list[str]:
    words = {w.strip() for w in settings.VIPDESK.get("MESSAGE_BLOCKED_WORDS", []) if w and w.strip()}
    words |= set(BlockedWord.objects.filter(active=True).values_list("word", flat=True))
    return sorted(words)


def _source(word: str) -> str:
    if word.isascii():
        return r"(?i:(?<![A-Za-z0-9])" + re.escape(word) + r"(?![A-Za-z0-9]))"
    return re.escape(word)


@lru_cache(maxsize=1024)
def _pattern(word: str) -> re.Pattern:
    return re.compile(_source(word))


@lru_cache(maxsize=32)
def _any(words: tuple[str, ...]) -> re.Pattern:
    """One pattern for all the words: most texts are clean, and one search tells (the care job's batches)."""
    return re.compile("|".join(_source(w) for w in words))


def advertising_words(*texts: str, words: list[str] | None = None) -> list[str]:
    """The blocked words found in any of `texts`, in list order."""
    words = blocked_words() if words is None else words
    if not words or not any(_any(tuple(words)).search(t or "") for t in texts):
        return []
    return [w for w in words if any(_pattern(w).search(t or "") for t in texts)]


def check_content(kind: str, texts: dict[str, str]) -> None:
    """Refuse a greeting whose text contains advertising words (code `advertising_in_greeting`)."""
    if kind != MessageKind.GREETING:
        return
    words = blocked_words()
    fields = {}
    for field, text in texts.items():
        found = advertising_words(text, words=words)
        if found:
            fields[field] = _("A greeting carries no advertising; remove: %(words)s.") % {"words": "、".join(found)}
    if fields:
        raise ValidationFailed(next(iter(fields.values())), code="advertising_in_greeting", fields=fields)
