"""Download my data (PIPL art. 45, issue 16): everything the programme keeps on one member — her
file, cards, consents, the points, stored-value and coupon ledgers, purchases with lines and
payments, points-mall orders, service requests, inbox messages, VIP event invitations and what she did
at partner merchants (benefit uses, spends, points payments) — as JSON and as an XLSX
workbook (one sheet per section), built by one function so both formats hold the same rows.

It reads the loyalty apps, so it sits in reports (above them). Every download is recorded in the
audit trail as a full export of one member's personal data (PiiAccess, export_full, the row count);
the member is the one asking, so no staff actor is named.
"""
from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.audit.models import PiiAccess
from vipdesk.audit.services import pii_access_record
from vipdesk.coupons.models import Coupon
from vipdesk.events.models import Invitation
from vipdesk.feedback.models import Complaint
from vipdesk.members.models import Card, Consent, Member
from vipdesk.messaging.models import InboxMessage
from vipdesk.partners.models import BenefitUse, Partner, PartnerRedemption
from vipdesk.points.models import PartnerSpend, PointsEntry, Redemption
from vipdesk.sales.models import Sale
from vipdesk.wallet.models import WalletEntry

FILE_FIELDS = ("member_no", "status", "name", "gender", "ethnicity", "birthday", "lunar_birth_month", "lunar_birth_day",
               "lunar_birth_leap", "mobile", "email", "address", "id_number", "clothing_size", "shoe_size", "occupation",
               "family", "personality", "consumption_habits", "style_preferences", "hobbies", "lifestyle", "preferred_contact",
               "promo_receptiveness", "values", "source_channel", "enrolled_at", "total_spend", "last_purchase_at")


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def _rows(qs, fields) -> list[dict]:
    return [{f: _plain(v) for f, v in zip(fields, row)} for row in qs.values_list(*fields)]


def _invitations(member_id) -> list[dict]:
    """Her VIP event invitations: the event, its time and place, her reply, guests and whether she came."""
    out = []
    for inv in Invitation.objects.filter(member_id=member_id).select_related("event", "check_in").order_by("event__starts_at", "id"):
        arrived = getattr(inv, "check_in", None)
        out.append({"event": inv.event.name, "starts_at": _plain(inv.event.starts_at), "venue": inv.event.venue, "status": inv.status,
                    "replied_via": inv.via, "replied_at": _plain(inv.responded_at), "guests": inv.guests,
                    "attended": arrived is not None, "arrived_at": _plain(arrived.at) if arrived else None,
                    "guests_came": arrived.guests if arrived else None})
    return out


def _partner_rows(member_id) -> dict:
    """What she did at partner merchants: benefit uses, spends reported there, points paid there (the
    settlement value between HQ and the partner is theirs, not hers, and stays out)."""
    names = dict(Partner.objects.values_list("code", "name"))
    uses = [{"partner": u.partner.name, "benefit": u.benefit.name, "quantity": u.quantity, "amount": _plain(u.amount),
             "used_on": _plain(u.used_on), "reference": u.reference}
            for u in BenefitUse.objects.filter(member_id=member_id).select_related("partner", "benefit").order_by("used_on", "id")]
    spends = [{"partner": names.get(s.partner, s.partner), "amount": _plain(s.amount), "spent_on": _plain(s.spent_on),
               "points": s.points, "reference": s.reference}
              for s in PartnerSpend.objects.filter(member_id=member_id).order_by("spent_on", "id")]
    payments = [{"partner": r.partner.name, "points": r.points, "used_on": _plain(r.used_on), "reference": r.reference}
                for r in PartnerRedemption.objects.filter(member_id=member_id).select_related("partner").order_by("used_on", "id")]
    return {"partner_uses": uses, "partner_spends": spends, "partner_payments": payments}


def member_data(member: Member) -> dict:
    """The member's own data as plain JSON-able sections (a list of rows each, the file one row)."""
    m = Member.objects.select_related("home_store").get(pk=member.pk)
    sales = []
    for sale in Sale.objects.filter(member_id=m.pk).select_related("store").prefetch_related("lines", "payments").order_by("occurred_at", "id"):
        sales.append({
            "kind": sale.kind, "store": sale.store.code, "receipt_no": sale.receipt_no, "occurred_at": _plain(sale.occurred_at),
            "business_date": _plain(sale.business_date), "amount": _plain(sale.amount), "returned_amount": _plain(sale.returned_amount),
            "lines": [{"sku": ln.sku, "brand": ln.brand, "category": ln.category, "name": ln.name, "size": ln.size,
                       "colour": ln.colour, "unit_price": _plain(ln.unit_price), "quantity": ln.quantity,
                       "amount": _plain(ln.amount)} for ln in sale.lines.all()],
            "payments": [{"method": p.method, "amount": _plain(p.amount)} for p in sale.payments.all()],
        })
    return {
        "exported_at": timezone.now().isoformat(),
        "file": [{**{f: _plain(getattr(m, f)) for f in FILE_FIELDS}, "home_store": m.home_store.name}],
        "cards": _rows(Card.objects.filter(member_id=m.pk).order_by("id"), ("number", "kind", "media", "status", "issued_at")),
        "consents": _rows(Consent.objects.filter(member_id=m.pk).order_by("at", "id"), ("purpose", "channel", "granted", "at", "source")),
        "points": _rows(PointsEntry.objects.filter(account__member_id=m.pk).order_by("created_at", "id"),
                        ("business_date", "kind", "points", "debt", "store__code", "sale__receipt_no", "note")),
        "stored_value": _rows(WalletEntry.objects.filter(account__member_id=m.pk).order_by("created_at", "id"),
                              ("business_date", "kind", "principal", "bonus", "store__code", "sale__receipt_no", "note")),
        "coupons": _rows(Coupon.objects.filter(member_id=m.pk).order_by("issued_on", "id"),
                         ("code", "campaign__name", "status", "face_value", "valid_from", "valid_until", "issued_on", "used_at")),
        "purchases": sales,
        "mall_orders": _rows(Redemption.objects.filter(account__member_id=m.pk).order_by("created_at", "id"),
                             ("business_date", "item__name", "quantity", "points", "store__code", "status", "collection", "collected_at")),
        "requests": _rows(Complaint.objects.filter(member_id=m.pk).order_by("received_at", "id"),
                          ("number", "category__name", "status", "received_at", "description")),
        "messages": _rows(InboxMessage.objects.filter(member_id=m.pk).order_by("created_at", "id"),
                          ("created_at", "subject", "body", "read_at")),
        "event_invitations": _invitations(m.pk),
        **_partner_rows(m.pk),
    }


SHEETS = {  # section → sheet title (translated when written)
    "file": "My file", "cards": "Cards", "consents": "Consents", "points": "Points", "stored_value": "Stored value",
    "coupons": "Coupons", "purchases": "Purchases", "mall_orders": "Points mall orders", "requests": "Service requests",
    "messages": "Messages", "event_invitations": "VIP event invitations", "partner_uses": "Partner benefit uses",
    "partner_spends": "Partner spends", "partner_payments": "Points paid at partners",
}


def _xlsx_value(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def member_data_xlsx(data: dict) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    book.remove(book.active)
    for key, title in SHEETS.items():
        sheet = book.create_sheet(_(title)[:31])
        rows = data[key]
        if key == "purchases":  # one row per line, the receipt repeated
            head = ["receipt_no", "kind", "store", "occurred_at", "amount", "returned_amount", "sku", "brand", "category",
                    "unit_price", "quantity", "line_amount", "payments"]
            sheet.append(head)
            for sale in rows:
                pays = ", ".join(f"{p['method']} {p['amount']}" for p in sale["payments"])
                for ln in sale["lines"] or [{}]:
                    sheet.append([sale["receipt_no"], sale["kind"], sale["store"], sale["occurred_at"], sale["amount"],
                                  sale["returned_amount"], ln.get("sku"), ln.get("brand"), ln.get("category"), ln.get("unit_price"),
                                  ln.get("quantity"), ln.get("amount"), pays])
        else:
            head = list(rows[0]) if rows else []
            sheet.append(head)
            for row in rows:
                sheet.append([_xlsx_value(row[h]) for h in head])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def member_data_export(*, member: Member, fmt: str) -> tuple[bytes, str, str]:
    """The member's download in `fmt` ("json" or "xlsx"): (content, content type, file name); audited."""
    if fmt not in ("json", "xlsx"):
        raise ValueError(fmt)
    data = member_data(member)
    rows = sum(len(v) for k, v in data.items() if isinstance(v, list))
    pii_access_record(actor=None, kind=PiiAccess.Kind.EXPORT_FULL, member=member, fields=list(SHEETS),
                      reason=f"member data download ({fmt}) by the member", row_count=rows)
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = f"my-data-{member.member_no}-{stamp}.{fmt}"
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=1).encode(), "application/json", name
    return member_data_xlsx(data), "application/vnd.openxmlformats-officedocument.spreadsheetml.spreadsheet", name
