"""Who may see which clearing figures (R5.5) and points liability (R8.4): one path for the console
and the API. The figures themselves come from clearing.py and selectors.py; this module only
chooses the rows a principal may see.

- HQ admin, auditor (and superusers): every party.
- Store manager (staff user or API key): the franchisees of his stores — pairs in which one of them
  pays or receives, their settlement lines, the liability of their stores. A manager of directly
  run stores only sees nothing here: clearing of the directly run chain is HQ's business.
- Everybody else: refused.
"""
from __future__ import annotations

import csv
import datetime as dt
import io

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, Role, can
from vipdesk.core.errors import PermissionDenied, ValidationFailed
from vipdesk.org.models import Franchisee, Store

from .clearing import COLUMNS, HQ, clearing_lines, clearing_statement, clearing_statement_csv
from .selectors import points_liability


def clearing_parties(principal) -> frozenset[int] | None:
    """None: every party. Otherwise the ids of the franchisees whose clearing the principal sees."""
    if not can(principal, Action.CLEARING):
        raise PermissionDenied(_("Your role may not see clearing statements."))
    if getattr(principal, "is_superuser", False) or getattr(principal, "role", None) in (Role.HQ_ADMIN, Role.AUDITOR):
        return None
    return frozenset(Store.objects.filter(pk__in=principal.store_ids, franchisee__isnull=False)
                     .values_list("franchisee_id", flat=True))


def _codes(parties) -> set[str]:
    return set(Franchisee.objects.filter(pk__in=parties).values_list("code", flat=True))


def statement_for(principal, *, period: str) -> list[dict]:
    """The netted statement (clearing.clearing_statement), cut to the pairs the principal may see."""
    parties = clearing_parties(principal)
    rows = clearing_statement(period=period)
    if parties is None:
        return rows
    codes = _codes(parties)
    return [r for r in rows if r["payer"] in codes or r["payee"] in codes]


def statement_csv_for(principal, *, period: str) -> str:
    """The CSV of `vipdesk clearing statement`, byte for byte for HQ and auditors."""
    if clearing_parties(principal) is None:
        return clearing_statement_csv(period=period)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in statement_for(principal, period=period):
        writer.writerow({k: row[k] for k in COLUMNS})
    return buf.getvalue()


def positions(rows: list[dict]) -> list[dict]:
    """Per party, from a statement's rows: what it pays, what it receives, and the balance."""
    out: dict[str, dict] = {}
    for row in rows:
        for side, code, name in (("pays", row["payer"], row["payer_name"]), ("receives", row["payee"], row["payee_name"])):
            entry = out.setdefault(code, {"party": code, "name": name, "pays": 0, "receives": 0})
            entry[side] += row["net"]
    for entry in out.values():
        entry["balance"] = entry["receives"] - entry["pays"]
    return sorted(out.values(), key=lambda e: (e["party"] == HQ, e["party"]))


def _party_id(code: str, key: str) -> int | None:
    """A party code from a statement row → franchisee id (None: the directly run chain, "HQ")."""
    if code == HQ:
        return None
    found = Franchisee.objects.filter(code=code).values_list("pk", flat=True).first()
    if found is None:
        raise ValidationFailed(_("No franchisee with code %(code)s.") % {"code": code}, fields={key: _("Unknown party.")})
    return found


def _side(field: str, party: int | None) -> Q:
    return Q(**{f"{field}__isnull": True}) if party is None else Q(**{field: party})


def lines_for(principal, *, period: str, payer: str | None = None, payee: str | None = None) -> QuerySet:
    """Settlement lines of the period the principal may see; with payer and payee, those between the
    two parties in either direction (the lines behind one row of the statement)."""
    parties = clearing_parties(principal)
    qs = clearing_lines(period=period)
    if parties is not None:
        qs = qs.filter(Q(issuer_id__in=parties) | Q(redeemer_id__in=parties))
    if payer or payee:
        if not (payer and payee):
            raise ValidationFailed(_("Give both parties of the pair."), fields={"payee" if payer else "payer": _("Required.")})
        a, b = _party_id(payer, "payer"), _party_id(payee, "payee")
        qs = qs.filter((_side("issuer", a) & _side("redeemer", b)) | (_side("issuer", b) & _side("redeemer", a)))
    return qs.order_by("business_date", "id")


def liability_for(principal, *, on: dt.date | None = None) -> list[dict]:
    """Outstanding points × value per point by store and franchisee (selectors.points_liability)."""
    parties = clearing_parties(principal)
    rows = points_liability(on=on)
    if parties is None:
        return rows
    codes = _codes(parties)
    return [r for r in rows if r["franchisee"] in codes]
