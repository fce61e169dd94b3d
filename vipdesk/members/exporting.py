"""Member export to CSV/XLSX (R1.5, R1.3).

Masked by default: names, mobiles and e-mails masked, no ID number, address, notes or card
number. A full export is for HQ only. Both kinds are recorded in the personal-data access log
with their row count. A full export uses the import template's columns, so it imports back.
"""
from __future__ import annotations

import csv
import io
import json
from typing import Any, Callable

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, can, require
from vipdesk.accounts.scoping import restrict_members
from vipdesk.audit.models import PiiAccess
from vipdesk.audit.services import pii_access_record
from vipdesk.core.errors import DomainError, PermissionDenied
from vipdesk.core.masking import mask_email, mask_mobile, mask_name

from .choices import CardKind, CardStatus, MemberStatus
from .columns import FIELD_HEADERS as H, format_lunar
from .models import Card, Member
from .services import PII_FIELDS

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
CHUNK = 2000

Column = tuple[str, Callable[[Member], Any]]


def _date(value) -> str:
    return value.isoformat() if value else ""


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _tags(m: Member) -> str:
    return ",".join(sorted(t.name for t in m.tags.all()))


_STORE_AND_FIGURES: list[Column] = [
    (H["home_store"], lambda m: m.home_store.code),
    ("门店名称", lambda m: m.home_store.name),
    (H["owner"], lambda m: m.owner.username if m.owner else ""),
    (H["tags"], _tags),
]
_FIGURES: list[Column] = [
    ("档案完整度", lambda m: m.completeness),
    ("累计消费", lambda m: m.total_spend),
    ("最近消费", lambda m: _local(m.last_purchase_at)),
    ("入会时间", lambda m: _local(m.enrolled_at)),
]

MASKED_COLUMNS: list[Column] = [
    ("会员号", lambda m: m.member_no),
    (H["name"], lambda m: mask_name(m.name)),
    (H["mobile"], lambda m: mask_mobile(m.mobile)),
    (H["email"], lambda m: mask_email(m.email)),
    (H["gender"], lambda m: m.get_gender_display()),
    ("生日月日", lambda m: m.birthday.strftime("%m-%d") if m.birthday else ""),  # for birthday care; no year, no age
    (H["clothing_size"], lambda m: m.clothing_size),
    (H["shoe_size"], lambda m: m.shoe_size),
    (H["style_preferences"], lambda m: m.style_preferences),
    (H["hobbies"], lambda m: m.hobbies),
    (H["preferred_contact"], lambda m: m.get_preferred_contact_display()),
    (H["source_channel"], lambda m: m.get_source_channel_display()),
    *_STORE_AND_FIGURES,
    *_FIGURES,
]

FULL_COLUMNS: list[Column] = [
    ("会员号", lambda m: m.member_no),
    (H["name"], lambda m: m.name),
    (H["mobile"], lambda m: m.mobile or ""),
    (H["gender"], lambda m: m.get_gender_display()),
    (H["birthday"], lambda m: _date(m.birthday)),
    (H["lunar_birthday"], lambda m: format_lunar(m.lunar_birth_month, m.lunar_birth_day, m.lunar_birth_leap)),
    (H["ethnicity"], lambda m: m.ethnicity),
    (H["email"], lambda m: m.email),
    (H["address"], lambda m: m.address),
    (H["id_number"], lambda m: m.id_number),
    (H["clothing_size"], lambda m: m.clothing_size),
    (H["shoe_size"], lambda m: m.shoe_size),
    (H["occupation"], lambda m: m.occupation),
    (H["family"], lambda m: json.dumps(m.family, ensure_ascii=False) if m.family else ""),
    (H["personality"], lambda m: m.personality),
    (H["consumption_habits"], lambda m: m.consumption_habits),
    (H["style_preferences"], lambda m: m.style_preferences),
    (H["hobbies"], lambda m: m.hobbies),
    (H["lifestyle"], lambda m: m.lifestyle),
    (H["preferred_contact"], lambda m: m.get_preferred_contact_display()),
    (H["promo_receptiveness"], lambda m: m.get_promo_receptiveness_display()),
    (H["values"], lambda m: m.values),
    (H["source_channel"], lambda m: m.get_source_channel_display()),
    (H["referrer"], lambda m: m.referrer.member_no if m.referrer else ""),
    *_STORE_AND_FIGURES,
    (H["notes"], lambda m: m.notes),
    (H["card_number"], lambda m: m.card_no or ""),
    *_FIGURES,
]
# Long digit strings Excel would turn into numbers (losing digits) when it opens a CSV.
_LONG_NUMBERS = {H["id_number"], H["card_number"]}


def _csv_safe(header: str, value) -> str:
    text = "" if value is None else str(value)
    # A leading tab keeps Excel from reading a formula (=, +, -, @) or rounding an 18-digit number;
    # the import strips it again.
    if text and (text[0] in "=+-@" or (header in _LONG_NUMBERS and text.isdigit())):
        return "\t" + text
    return text


def _write_csv(columns: list[Column], members) -> tuple[bytes, int]:
    buf = io.StringIO(newline="")
    buf.write("\ufeff")  # BOM: Excel then reads UTF-8
    writer = csv.writer(buf)
    writer.writerow([h for h, _get in columns])
    count = 0
    for member in members:
        writer.writerow([_csv_safe(h, get(member)) for h, get in columns])
        count += 1
    return buf.getvalue().encode("utf-8"), count


def _write_xlsx(columns: list[Column], members) -> tuple[bytes, int]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    sheet = book.create_sheet("会员")
    sheet.append([h for h, _get in columns])
    count = 0
    for member in members:
        cells = []
        for _header, get in columns:
            value = get(member)
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
                if value.startswith("="):  # text, never a formula
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"
                    value = cell
            cells.append(value)
        sheet.append(cells)
        count += 1
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue(), count


def member_export(*, actor, queryset, fmt: str, full: bool = False) -> tuple[bytes, str, str]:
    """(content, content_type, filename) of the active members in `queryset` the actor may export."""
    if fmt not in CONTENT_TYPES:
        raise DomainError(_("Unknown export format. Choose csv or xlsx."), code="unsupported_format")
    if full and not can(actor, Action.EXPORT_FULL):
        raise PermissionDenied(_("Only HQ may export full personal data."))
    require(actor, Action.EXPORT)
    action = Action.EXPORT_FULL if full else Action.EXPORT
    # The caller scoped the queryset already; scope again so a slip there cannot leak rows.
    qs = queryset if actor is None else restrict_members(queryset, actor, action)
    current_card = Card.objects.filter(member=OuterRef("pk"), kind=CardKind.PRINCIPAL, status=CardStatus.ACTIVE).order_by("-id")
    qs = (qs.filter(status=MemberStatus.ACTIVE).select_related("home_store", "owner", "referrer").prefetch_related("tags")
          .annotate(card_no=Subquery(current_card.values("number")[:1])).order_by("id"))
    columns = FULL_COLUMNS if full else MASKED_COLUMNS
    writer = _write_csv if fmt == "csv" else _write_xlsx
    content, count = writer(columns, qs.iterator(chunk_size=CHUNK))
    pii_access_record(
        actor=actor, kind=PiiAccess.Kind.EXPORT_FULL if full else PiiAccess.Kind.EXPORT_MASKED,
        fields=list(PII_FIELDS) if full else ["name", "mobile", "email"], row_count=count,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return content, CONTENT_TYPES[fmt], f"members-{'full' if full else 'masked'}-{stamp}.{fmt}"
