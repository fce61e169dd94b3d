"""Placeholders in templates: `{name}` and nothing else.

A template is text written by HQ staff and sent to members, so its language is kept tiny: a
placeholder is `{word}`; the words are the built-in ones below plus the template's declared
`extra_placeholders`; each value is a plain string computed here. There is no attribute access,
no index, no format spec, no filter, no tag (docs/decisions.md: why neither Django templates nor
str.format). `{{` and `}}` write a literal brace.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from vipdesk.core.errors import ValidationFailed
from vipdesk.core.money import format_money, format_number

from .choices import Language

BUILTIN = {
    "name": "the member's name",
    "salutation": "surname + 先生/女士 (Mr/Ms in English)",
    "level": "the member's tier (level) name",
    "store": "the member's home store",
    "staff": "the signing staff member (the sender, else the member's owner)",
    "member_no": "the member number",
}
MAX_VALUE = 200  # characters per caller-supplied value

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_WORD = re.compile(r"^[a-z][a-z0-9_]{0,29}$")


def placeholders_in(text: str) -> list[str]:
    """The placeholder names used in `text`; a stray or malformed brace is an error."""
    found = []
    for match in _TOKEN.finditer(text or ""):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        word = match.group(1)
        if word is None or not _WORD.match(word):
            raise ValidationFailed(_("Placeholders are written {name}: lower-case letters, digits and _ inside one pair of braces; "
                                     "write {{ or }} for a brace. Wrong: %(token)s") % {"token": token})
        found.append(word)
    return found


def check_placeholders(texts: dict[str, str], extra: list[str]) -> None:
    allowed = set(BUILTIN) | set(extra)
    fields = {}
    for field, text in texts.items():
        try:
            unknown = sorted(set(placeholders_in(text)) - allowed)
        except ValidationFailed as exc:
            fields[field] = exc.message
            continue
        if unknown:
            fields[field] = _("Unknown placeholder: %(names)s. Allowed: %(allowed)s.") % {
                "names": ", ".join("{%s}" % n for n in unknown), "allowed": ", ".join("{%s}" % n for n in sorted(allowed))}
    if fields:
        raise ValidationFailed(next(iter(fields.values())), fields=fields)


def shown_value(value) -> str:
    """A caller's value as the member reads it: money (a Decimal) as ¥1,280.00, a whole number
    (points, a count) as 2,764,097 — the console's formats (core.money) — anything else as given."""
    if isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return format_number(value)
    return str(value)


def pieces(text: str) -> list[tuple[str, str | None]]:
    """`text` as (literal, placeholder or None) pairs in order, `{{`/`}}` already made single braces:
    what `substitute` does, for a caller that fills the placeholders elsewhere (a campaign's SQL)."""
    out: list[tuple[str, str | None]] = []
    literal, at = [], 0
    for match in _TOKEN.finditer(text or ""):
        literal.append(text[at:match.start()])
        at = match.end()
        if match.group(0) in ("{{", "}}"):
            literal.append(match.group(0)[0])
        else:
            out.append(("".join(literal), match.group(1)))
            literal = []
    literal.append((text or "")[at:])
    out.append(("".join(literal), None))
    return out


def substitute(text: str, values: dict[str, str]) -> str:
    def repl(match):
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        return values[match.group(1)]

    return _TOKEN.sub(repl, text or "")


def _salutation(member, language: str) -> str:
    surname = (member.name or "")[:1]
    if not surname:
        return ""
    if language == Language.EN:
        title = {"M": "Mr", "F": "Ms"}.get(member.gender)
        return f"{title} {surname}" if title else member.name
    title = {"M": "先生", "F": "女士"}.get(member.gender)
    return surname + title if title else member.name


def _level(member) -> str:
    tier = getattr(member, "tier", None)  # no MemberTier row: RelatedObjectDoesNotExist is an AttributeError
    level = getattr(tier, "level", None)
    return level.name if level is not None else ""


def member_values(member, *, staff=None, language: str = Language.ZH_HANS) -> dict[str, str]:
    level = _level(member)
    signer = staff or member.owner
    return {
        "name": member.name or "",
        "salutation": _salutation(member, language),
        "level": level,
        "store": member.home_store.name if member.home_store_id else "",
        "staff": (signer.display_name or signer.get_username()) if signer is not None else "",
        "member_no": member.member_no,
    }


@dataclass(frozen=True)
class Rendered:
    language: str
    subject: str
    body: str
    params: dict


def render(template, member, *, staff=None, language: str | None = None, context: dict | None = None) -> Rendered:
    """The template's subject and body in `language` (English falls back to Chinese when the
    template has no English body) with every placeholder filled."""
    language = language or Language.ZH_HANS
    if language not in Language.values:
        raise ValidationFailed(_("Unknown language: %(language)s.") % {"language": language}, fields={"language": _("zh-hans or en.")})
    if language == Language.EN and not (template.body_en or "").strip():
        language = Language.ZH_HANS
    subject, body = (template.subject_en, template.body_en) if language == Language.EN else (template.subject_zh, template.body_zh)
    values = member_values(member, staff=staff, language=language)
    context = context or {}
    extra = list(template.extra_placeholders or [])
    unknown = sorted(set(context) - set(extra))
    if unknown:
        raise ValidationFailed(_("The template %(code)s takes no value for: %(names)s.") % {"code": template.code, "names": ", ".join(unknown)},
                               fields={"context": _("Allowed: %(names)s.") % {"names": ", ".join(extra) or "-"}})
    used = set(placeholders_in(subject)) | set(placeholders_in(body))
    missing = sorted(name for name in used if name in extra and name not in context)
    if missing:
        raise ValidationFailed(_("Give a value for: %(names)s.") % {"names": ", ".join(missing)},
                               fields={"context": _("Give a value for: %(names)s.") % {"names": ", ".join(missing)}})
    for name in extra:
        if name in context:
            values[name] = shown_value(context[name])[:MAX_VALUE]
    return Rendered(language=language, subject=substitute(subject, values), body=substitute(body, values),
                    params={k: v for k, v in values.items() if k in used})
