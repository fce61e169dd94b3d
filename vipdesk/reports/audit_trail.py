"""Reading the audit trail: sign-ins, failed sign-ins, lockouts (SignIn), staff role and scope
changes, account-security and API-key events (Event), personal-data reveals and exports (PiiAccess),
as one list newest first, filtered, paged and exported to XLSX.

The three tables are merged in the database (UNION ALL of (at, id, source)), so paging and counting
stay queries however long the trail grows; only the rows of the page are then read in full.
Events shown are those whose verb starts with one of EVENT_PREFIXES: other apps' business events
(points, coupons…) have their own pages.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from vipdesk.accounts.roles import Action, Role, require

from vipdesk.audit.models import Event, PiiAccess, SignIn
from vipdesk.audit.services import pii_access_record
from vipdesk.members.choices import ConsentChannel, ConsentPurpose

STAFF_PREFIX, AUTH_PREFIX, TWO_FACTOR_PREFIX, KEY_PREFIX = "staff.", "auth.", "two_factor.", "api_client."
PORTAL_PREFIX = "portal."  # the member centre (vipdesk/portal): members signing in, wrong codes, joining, consents
EVENT_PREFIXES = (STAFF_PREFIX, AUTH_PREFIX, TWO_FACTOR_PREFIX, KEY_PREFIX, PORTAL_PREFIX)
EXPORT_LIMIT = 100_000  # rows in one workbook; narrow the filters for more

# kind → (label, table, what of it)
KINDS = {
    "sign_ins": (gettext_lazy("Sign-ins and sign-outs"), "signin", (SignIn.Outcome.SIGNED_IN, SignIn.Outcome.SIGNED_OUT)),
    "failed": (gettext_lazy("Failed sign-ins"), "signin", (SignIn.Outcome.FAILED,)),
    "lockouts": (gettext_lazy("Lockouts"), "signin", (SignIn.Outcome.LOCKED_OUT,)),
    "staff": (gettext_lazy("Role and scope changes"), "event", (STAFF_PREFIX,)),
    "security": (gettext_lazy("Account security (2FA, sign-outs everywhere)"), "event", (AUTH_PREFIX, TWO_FACTOR_PREFIX)),
    "keys": (gettext_lazy("API keys"), "event", (KEY_PREFIX,)),
    "pii": (gettext_lazy("Personal data reveals and exports"), "pii", ()),
    "members": (gettext_lazy("Member centre: sign-ins, wrong codes, joining, consents"), "event", (PORTAL_PREFIX,)),
}

VERB_LABELS = {
    "staff.created": gettext_lazy("Staff member created"),
    "staff.access_changed": gettext_lazy("Role or scope changed"),
    "api_client.created": gettext_lazy("API key created"),
    "api_client.revoked": gettext_lazy("API key revoked"),
    "api_client.rotated": gettext_lazy("API key rotated"),
    "auth.signed_out_everywhere": gettext_lazy("Signed out on all devices"),
    "two_factor.enrolled": gettext_lazy("Two-factor sign-in set up"),
    "two_factor.verified": gettext_lazy("Two-factor code accepted"),
    "two_factor.failed": gettext_lazy("Two-factor code refused"),
    "two_factor.reset": gettext_lazy("Two-factor sign-in reset by HQ"),
    "two_factor.recovery_used": gettext_lazy("Recovery code used"),
    "two_factor.recovery_renewed": gettext_lazy("New recovery codes"),
    "portal.signed_in": gettext_lazy("Member signed in to the member centre"),
    "portal.signed_out": gettext_lazy("Member signed out of the member centre"),
    "portal.signed_out_everywhere": gettext_lazy("Member signed out on all devices"),
    "portal.code_failed": gettext_lazy("Wrong or expired sign-in code"),
    "portal.joined": gettext_lazy("Joined in the member centre"),
    "portal.consent_changed": gettext_lazy("Consent changed in the member centre"),
}
FIELD_LABELS = {"role": gettext_lazy("role"), "stores": gettext_lazy("stores"), "is_active": gettext_lazy("active"),
                "is_superuser": gettext_lazy("superuser"), "store": gettext_lazy("store"), "key_prefix": gettext_lazy("key prefix"),
                "member_no": gettext_lazy("member number"), "mobile": gettext_lazy("mobile"), "tries": gettext_lazy("wrong tries"),
                "session": gettext_lazy("session"), "sessions": gettext_lazy("sessions ended"), "purpose": gettext_lazy("purpose"),
                "channel": gettext_lazy("channel"), "granted": gettext_lazy("granted")}


@dataclass(frozen=True)
class TrailFilter:
    kind: str = ""            # a key of KINDS, or "" for every kind
    username: str = ""        # the staff member (acting, signing in, or whose access changed)
    store: str = ""           # store code: rows of staff working there, its keys, its members' data
    start: dt.date | None = None
    end: dt.date | None = None

    def describe(self) -> str:
        parts = [f"{name}={value}" for name, value in (("kind", self.kind), ("staff", self.username), ("store", self.store),
                                                        ("from", self.start), ("to", self.end)) if value]
        return "audit trail" + (": " + ", ".join(parts) if parts else "")


@dataclass
class TrailRow:
    at: dt.datetime
    kind: str
    kind_label: str
    who: str          # the staff member (or key) acting or signing in
    what: str         # one line: what happened
    detail: str       # before → after, IP and browser, reason…
    ip_address: str = ""


def _staff_ids(**lookup):
    return get_user_model().objects.filter(**lookup).values("pk")


def _staff_ids_text(**lookup):
    # Event.object_id is text: compare with the staff ids cast to text.
    return get_user_model().objects.filter(**lookup).annotate(pk_text=Cast("pk", CharField())).values("pk_text")


def _dates(qs: QuerySet, f: TrailFilter, upto=None) -> QuerySet:
    if upto is not None:
        qs = qs.filter(at__lte=upto)
    if f.start:
        qs = qs.filter(at__date__gte=f.start)
    if f.end:
        qs = qs.filter(at__date__lte=f.end)
    return qs


def _sign_ins(f: TrailFilter, outcomes, upto) -> QuerySet:
    qs = SignIn.objects.filter(outcome__in=outcomes)
    if f.username:
        qs = qs.filter(Q(username__iexact=f.username) | Q(staff__in=_staff_ids(username__iexact=f.username)))
    if f.store:
        qs = qs.filter(staff__in=_staff_ids(stores__code=f.store))
    return _dates(qs, f, upto)


def _events(f: TrailFilter, prefixes, upto) -> QuerySet:
    verbs = Q()
    for prefix in prefixes:
        verbs |= Q(verb__startswith=prefix)
    qs = Event.objects.filter(verbs)
    if f.username:
        qs = qs.filter(Q(actor__in=_staff_ids(username__iexact=f.username))
                       | Q(object_type="staff", object_id__in=_staff_ids_text(username__iexact=f.username)))
    if f.store:
        qs = qs.filter(Q(actor__in=_staff_ids(stores__code=f.store)) | Q(api_client__store__code=f.store)
                       | Q(object_type="staff", object_id__in=_staff_ids_text(stores__code=f.store))
                       | Q(object_type="apiclient", payload__store=f.store))
    return _dates(qs, f, upto)


def _pii(f: TrailFilter, upto) -> QuerySet:
    qs = PiiAccess.objects.all()
    if f.username:
        qs = qs.filter(actor__in=_staff_ids(username__iexact=f.username))
    if f.store:
        qs = qs.filter(Q(actor__in=_staff_ids(stores__code=f.store)) | Q(member__home_store__code=f.store)
                       | Q(api_client__store__code=f.store))
    return _dates(qs, f, upto)


def _tagged(qs: QuerySet, source: str) -> QuerySet:
    return qs.order_by().annotate(source=Value(source, output_field=CharField())).values("at", "id", "source")


def trail_index(f: TrailFilter, upto: dt.datetime | None = None) -> QuerySet:
    """(at, id, source) of every row the filter lets through, newest first: page it, then `trail_rows`."""
    kinds = [f.kind] if f.kind in KINDS else list(KINDS)
    outcomes = [o for k in kinds if KINDS[k][1] == "signin" for o in KINDS[k][2]]
    prefixes = [p for k in kinds if KINDS[k][1] == "event" for p in KINDS[k][2]]
    parts = []
    if outcomes:
        parts.append(_tagged(_sign_ins(f, outcomes, upto), "signin"))
    if prefixes:
        parts.append(_tagged(_events(f, prefixes, upto), "event"))
    if any(KINDS[k][1] == "pii" for k in kinds):
        parts.append(_tagged(_pii(f, upto), "pii"))
    first, *rest = parts
    return (first.union(*rest, all=True) if rest else first).order_by("-at", "-id")


def _person(user) -> str:
    if user is None:
        return ""
    shown = str(user)
    return shown if shown == user.get_username() else f"{shown} ({user.get_username()})"


def _actor(row) -> str:
    if row.actor_id:
        return _person(row.actor)
    if row.api_client_id:
        return _("API key %(name)s") % {"name": row.api_client.name}
    return _("System")


def _value(name, value) -> str:
    if name == "role":
        return str(Role(value).label) if value in Role.values else str(value or "—")
    if name == "stores":
        return "、".join(value) if value else "—"
    if name == "purpose" and value in ConsentPurpose.values:
        return str(ConsentPurpose(value).label)
    if name == "channel" and value in ConsentChannel.values:
        return str(ConsentChannel(value).label)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return "—" if value in (None, "") else str(value)


def _change(payload: dict) -> str:
    before, after = payload.get("before") or {}, payload.get("after") or {}
    parts = []
    for name in after:
        label = FIELD_LABELS.get(name, name)
        if name in before:
            parts.append(f"{label}: {_value(name, before[name])} → {_value(name, after[name])}")
        else:
            parts.append(f"{label}: {_value(name, after[name])}")
    return "；".join(parts)


def _sign_in_row(s: SignIn) -> TrailRow:
    kind = {SignIn.Outcome.FAILED: "failed", SignIn.Outcome.LOCKED_OUT: "lockouts"}.get(s.outcome, "sign_ins")
    who = _person(s.staff) if s.staff_id else _("%(name)s (no such staff member)") % {"name": s.username}
    return TrailRow(at=s.at, kind=kind, kind_label=str(KINDS[kind][0]), who=who, what=s.get_outcome_display(),
                    detail=s.user_agent, ip_address=s.ip_address or "")


def _event_row(e: Event, subjects: dict, keys: dict) -> TrailRow:
    kind = ("staff" if e.verb.startswith(STAFF_PREFIX) else "keys" if e.verb.startswith(KEY_PREFIX)
            else "members" if e.verb.startswith(PORTAL_PREFIX) else "security")
    payload = e.payload or {}
    what = str(VERB_LABELS.get(e.verb, e.verb))
    if e.object_type == "staff":
        subject = subjects.get(e.object_id)
        what = f"{what}：{_person(subject) if subject else payload.get('username', e.object_id)}"
        detail = _change(payload) if "after" in payload else _plain(payload)
    elif e.object_type == "apiclient":
        what = f"{what}：{keys.get(e.object_id) or payload.get('name') or '#' + e.object_id}"
        detail = _plain(payload)
    else:
        detail = _plain(payload)
    who = _actor(e)
    if kind == "members":  # the member herself (or, for a wrong code, whoever typed at that mobile)
        who = (_("Member %(no)s") % {"no": payload["member_no"]} if payload.get("member_no")
               else _("Mobile %(mobile)s") % {"mobile": payload.get("mobile") or "—"})
        detail = _plain({k: v for k, v in payload.items() if k not in ("member_no", "mobile")})
    return TrailRow(at=e.at, kind=kind, kind_label=str(KINDS[kind][0]), who=who, what=what, detail=detail,
                    ip_address=str(payload.get("ip_address") or ""))


def _plain(payload: dict) -> str:
    return "；".join(f"{FIELD_LABELS.get(k, k)}: {_value(k, v)}" for k, v in payload.items()
                   if k not in ("before", "after", "ip_address"))


def _pii_row(p: PiiAccess) -> TrailRow:
    what = p.get_kind_display()
    if p.member_id:
        what = f"{what}：{p.member.member_no}"
    parts = [p.reason] if p.reason else []
    if p.kind != PiiAccess.Kind.REVEAL:
        parts.append(_("%(n)d rows") % {"n": p.row_count})
    if p.fields:
        parts.append(_("fields: %(f)s") % {"f": ", ".join(map(str, p.fields))})
    return TrailRow(at=p.at, kind="pii", kind_label=str(KINDS["pii"][0]), who=_actor(p), what=what, detail="；".join(parts))


def trail_rows(index_rows) -> list[TrailRow]:
    """The full rows of a slice of `trail_index`, in its order."""
    index_rows = list(index_rows)
    ids = {"signin": [], "event": [], "pii": []}
    for r in index_rows:
        ids[r["source"]].append(r["id"])
    sign_ins = SignIn.objects.select_related("staff").in_bulk(ids["signin"])
    events = Event.objects.select_related("actor", "api_client").in_bulk(ids["event"])
    piis = PiiAccess.objects.select_related("actor", "api_client", "member").in_bulk(ids["pii"])
    subject_ids = {e.object_id for e in events.values() if e.object_type == "staff" and e.object_id.isdigit()}
    subjects = {str(u.pk): u for u in get_user_model().objects.filter(pk__in=subject_ids)}
    # The keys' names, through the model Event's api_client column points at (org sits above audit).
    key_ids = {e.object_id for e in events.values() if e.object_type == "apiclient" and e.object_id.isdigit()}
    key_model = Event._meta.get_field("api_client").related_model
    keys = {str(pk): name for pk, name in key_model.objects.filter(pk__in=key_ids).values_list("pk", "name")}
    out = []
    for r in index_rows:
        if r["source"] == "signin":
            out.append(_sign_in_row(sign_ins[r["id"]]))
        elif r["source"] == "event":
            out.append(_event_row(events[r["id"]], subjects, keys))
        else:
            out.append(_pii_row(piis[r["id"]]))
    return out


def trail_xlsx(*, actor, f: TrailFilter) -> tuple[bytes, int]:
    """The filtered trail as a workbook (newest first, at most EXPORT_LIMIT rows). The export is
    itself recorded (PiiAccess, masked export: it names staff and IP addresses)."""
    from openpyxl import Workbook  # only an export needs it (as in members.exporting)
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    require(actor, Action.AUDIT_VIEW, _("Your role may not see the audit trail."), system=False)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Audit trail"))
    sheet.append([_("Time"), _("Kind"), _("Staff member"), _("What"), _("Detail"), _("IP address")])

    def text(value: str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not value.startswith("="):
            return value
        cell = WriteOnlyCell(sheet, value=value)  # a typed user name such as "=cmd…" stays text, never a formula
        cell.data_type = "s"
        return cell

    index = trail_index(f, upto=timezone.now())  # rows arriving during the export do not shift its pages
    count = 0
    while count < EXPORT_LIMIT:
        chunk = list(index[count:min(count + 1000, EXPORT_LIMIT)])
        for row in trail_rows(chunk):
            sheet.append([timezone.localtime(row.at).replace(tzinfo=None),
                          *(text(t) for t in (row.kind_label, row.who, row.what, row.detail, row.ip_address))])
        count += len(chunk)
        if len(chunk) < 1000:
            break
    out = io.BytesIO()
    book.save(out)
    pii_access_record(actor=actor, kind=PiiAccess.Kind.EXPORT_MASKED, fields=["audit_trail"], reason=f.describe()[:200],
                      row_count=count)
    return out.getvalue(), count
