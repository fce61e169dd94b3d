"""Service requests from the member portal (R12.3, issue 16): alteration, delivery, reservation, a
complaint, or a change of the hard fields of her file (name, ID number) that the store makes.

They are not a second ticket system: a request is a Complaint (the same number, deadline, owner,
life cycle, escalation and console pages as any complaint) filed with channel "portal" under a
category that says what is asked — the "service request" categories below are data like any
other (HQ may rename them or change their days). What staff write *to the member* is a
"replied" event (`complaint_reply`); the member sees the status, the deadline and those replies,
never the internal notes, the owner or the remedy text written for colleagues.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from vipdesk.accounts.roles import Action, require
from vipdesk.audit.services import event_record
from vipdesk.core import parsing
from vipdesk.core.errors import Conflict, NotFound, ValidationFailed

from .choices import Channel, ComplaintStatus
from .models import Complaint, ComplaintCategory, ComplaintEvent
from .services import _event, check_store, complaint_create

REQUEST_PARENT = ("request", "服务申请", 7)
# kind → (category code, name, days to handle it). Days are settings (no seed gives them).
REQUEST_KINDS = {
    "alteration": ("request.alteration", "改衣（修改尺寸）", 7),
    "delivery": ("request.delivery", "送货上门", 3),
    "reservation": ("request.reservation", "预约到店", 2),
    "profile_change": ("request.profile_change", "修改姓名或证件号码", 7),
}
KIND_LABELS = {
    "alteration": gettext_lazy("Alteration"),
    "delivery": gettext_lazy("Delivery"),
    "reservation": gettext_lazy("Reservation"),
    "profile_change": gettext_lazy("Change of name or ID number"),
    "complaint": gettext_lazy("Complaint"),
}
# The status as the member reads it (contexts keep these apart from other apps' "Open", "Closed").
STATUS_LABELS = {
    ComplaintStatus.OPEN: pgettext_lazy("service request", "Received"),
    ComplaintStatus.IN_PROGRESS: pgettext_lazy("service request", "In progress"),
    ComplaintStatus.RESOLVED: pgettext_lazy("service request", "Done"),
    ComplaintStatus.CLOSED: pgettext_lazy("service request", "Closed"),
}
COMPLAINT_CATEGORY = "service"  # a member's complaint lands here until staff re-file it (categories stay staff's)
VISIBLE_VERBS = ("created", "moved", "replied")  # what the member's page shows of a request's log


@transaction.atomic
def request_categories_install() -> dict[str, ComplaintCategory]:
    code, name, days = REQUEST_PARENT
    parent, _c = ComplaintCategory.objects.get_or_create(code=code, defaults={"name": name, "deadline_days": days})
    out = {}
    for kind, (sub, sub_name, sub_days) in REQUEST_KINDS.items():
        out[kind] = ComplaintCategory.objects.get_or_create(code=sub, defaults={"name": sub_name, "parent": parent,
                                                                               "deadline_days": sub_days})[0]
    return out


def kind_of(complaint: Complaint) -> str:
    for kind, (code, _n, _d) in REQUEST_KINDS.items():
        if complaint.category.code == code:
            return kind
    return "complaint"


@transaction.atomic
def member_request_create(*, member, kind: str, description: str, store=None, preferred_date: dt.date | None = None,
                          category_code: str = "") -> Complaint:
    """The member files a request in the portal (no staff: actor None). The store is the one she
    names, else her home store; it lands in that store's complaint list, with its deadline."""
    problems = parsing.Problems()
    if kind not in KIND_LABELS:
        problems.add("kind", _("Choose what you need."))
    description = parsing.text(description, "description", problems, limit=2000, required=True)
    problems.raise_if_any()
    if member.is_withdrawn:
        raise Conflict(_("The membership is closed."), code="member_withdrawn")
    store = store or member.home_store
    if store is None or not store.active:
        raise ValidationFailed(_("Choose a store."), fields={"store": _("Choose a store.")})
    if kind == "complaint":
        category = ComplaintCategory.objects.filter(code=category_code or COMPLAINT_CATEGORY, active=True, parent__isnull=True).first()
        category = category or ComplaintCategory.objects.filter(code=COMPLAINT_CATEGORY).first()
        if category is None:
            code, name = COMPLAINT_CATEGORY, "服务质量"
            category = ComplaintCategory.objects.create(code=code, name=name, deadline_days=3)
    else:
        category = request_categories_install()[kind]
    if preferred_date is not None:
        description = f"{description}\n{_('Preferred date')}: {preferred_date.isoformat()}"
    complaint = complaint_create(actor=None, store=store, category=category, description=description, member=member,
                                 channel=Channel.PORTAL)
    event_record(actor=None, verb="member.request_filed", obj=complaint, payload={"member": member.pk, "kind": kind})
    return complaint


@transaction.atomic
def complaint_reply(*, actor, complaint: Complaint, text: str) -> ComplaintEvent:
    """A reply meant for the member (she reads it in the portal): a "replied" event of the complaint."""
    require(actor, Action.FEEDBACK)
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    check_store(actor, complaint.store)
    problems = parsing.Problems()
    text = parsing.text(text, "reply", problems, limit=2000, required=True)
    problems.raise_if_any()
    if complaint.status == ComplaintStatus.CLOSED:
        raise Conflict(_("The complaint is closed."), code="illegal_transition")
    return _event(complaint, actor=actor, verb="replied", note=text, payload={"to_member": True})


def member_requests(member, *, limit: int = 100):
    return (Complaint.objects.filter(member_id=member.pk).select_related("category", "store")
            .order_by("-received_at", "-id")[:limit])


def member_request(member, pk) -> Complaint:
    if not str(pk).isdigit() or int(pk) > 2**63 - 1:
        raise NotFound(_("No such request."))
    found = Complaint.objects.filter(pk=pk, member_id=member.pk).select_related("category", "store").first()
    if found is None:
        raise NotFound(_("No such request."))
    return found


def member_visible_events(complaint: Complaint):
    """The log as the member reads it: filed, status moves and replies to her — no internal notes."""
    out = []
    for e in complaint.events.filter(verb__in=VISIBLE_VERBS).order_by("at", "id"):
        if e.verb == "replied":
            out.append({"at": e.at, "kind": "reply", "text": e.note})
        elif e.verb == "moved":
            out.append({"at": e.at, "kind": "status", "status": STATUS_LABELS[e.to_status]})
        else:
            out.append({"at": e.at, "kind": "filed"})
    return out
