"""Writes for surveys, complaints and referrals. Console, API and the daily job call these.

Each service is keyword-only, runs in one transaction, checks the actor's capability and scope
(members through members.services.member_for_actor, stores through accounts.scoping) and records
what it did: complaint events for complaints, audit events for the rest.
"""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, Role, can, require
from vipdesk.accounts.scoping import store_ids_in_scope
from vipdesk.audit.services import actor_fields, event_record
from vipdesk.core import clock, parsing
from vipdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from vipdesk.core.models import Sequence, policy_of
from vipdesk.members.choices import MemberStatus
from vipdesk.members.services import member_for_actor
from vipdesk.accounts.models import Staff
from vipdesk.points.choices import BonusAction
from vipdesk.points.services import points_award_bonus, points_credit_bonus
from vipdesk.members.models import Member

from .choices import COMPLAINT_TRANSITIONS, SCORE_RANGE, UNRESOLVED, Channel, ComplaintStatus, ReferralStatus, SurveyKind
from .models import Complaint, ComplaintCategory, ComplaintEvent, FeedbackPolicy, Referral, Survey, SurveyResponse
from .selectors import complaints_for


def policy() -> FeedbackPolicy:
    return policy_of(FeedbackPolicy)


def check_store(actor, store) -> None:
    """A store-bound principal acts only for its own stores (outside them: not found)."""
    if actor is None or store is None:
        return
    ids = store_ids_in_scope(actor)
    if ids is not None and store.pk not in ids:
        raise NotFound(_("No such store in your scope."), code="store_out_of_scope")


def _member(actor, member):
    """The member within the actor's scope (a job or a system call passes actor=None)."""
    if member is None:
        return None

    found = member_for_actor(actor, getattr(member, "pk", member))
    if found.status == MemberStatus.WITHDRAWN:
        raise Conflict(_("The member has withdrawn; the file is closed."), code="member_withdrawn")
    return found


def _staff(actor):
    return actor if isinstance(actor, Staff) else None


# ---- reference data ----------------------------------------------------------------------------

# Seed 001 (第五.1.4 客户关怀策略; 第六.3 流失原因: 服务态度恶劣、商品质量不满、投诉未解决、
# 处理拖拉、无售后或不及时回访、承诺无法兑现、隐瞒商品事项). Days are settings, not seed figures.
DEFAULT_CATEGORIES = [
    ("product", "商品质量", 7, [("product.defect", "质量问题"), ("product.misinformed", "商品信息与介绍不符")]),
    ("service", "服务质量", 3, [("service.attitude", "服务态度（粗鲁、漠不关心）"), ("service.delay", "处理拖拉、来电不及时回复"),
                             ("service.unprofessional", "接待不专心、不专业")]),
    ("after_sales", "售后服务", 15, [("after_sales.repair", "维修与保养"), ("after_sales.follow_up", "无售后或不及时回访")]),
    ("promise", "承诺兑现", 3, [("promise.benefit", "优惠、积分或奖励未兑现"), ("promise.membership", "会员权益未享受")]),
    ("environment", "购物环境", 7, []),
]


@transaction.atomic
def categories_install_default() -> list[ComplaintCategory]:
    out = []
    for code, name, days, children in DEFAULT_CATEGORIES:
        parent, _c = ComplaintCategory.objects.get_or_create(code=code, defaults={"name": name, "deadline_days": days})
        out.append(parent)
        for sub_code, sub_name in children:
            out.append(ComplaintCategory.objects.get_or_create(code=sub_code, defaults={"name": sub_name, "parent": parent})[0])
    return out


@transaction.atomic
def surveys_install_default() -> list[Survey]:
    return [
        Survey.objects.get_or_create(code="nps", defaults={"title": "推荐意愿（NPS）", "kind": SurveyKind.NPS,
                                                           "question": "您有多大可能把我们推荐给亲友？（0–10分）"})[0],
        Survey.objects.get_or_create(code="csat", defaults={"title": "服务满意度（CSAT）", "kind": SurveyKind.CSAT,
                                                            "question": "您对本次服务满意吗？（1–5分）"})[0],
    ]


def deadline_days(category: ComplaintCategory) -> int:
    if category.deadline_days:
        return category.deadline_days
    if category.parent_id and category.parent.deadline_days:
        return category.parent.deadline_days
    return policy().complaint_days


# ---- surveys -----------------------------------------------------------------------------------

@transaction.atomic
def survey_respond(*, actor, survey: Survey, store, score, member=None, channel: str = Channel.IN_STORE, comment: str = "",
                   at: dt.datetime | None = None, reference: str = "") -> tuple[SurveyResponse, bool]:
    """Record one answer; returns (response, created). A retry with the same reference records once.
    A member who answers earns the bonus of the "survey answered" rule, if HQ has set one (seed 002: 满意度调查…给予积分)."""
    require(actor, Action.FEEDBACK)
    check_store(actor, store)
    problems = parsing.Problems()
    low, high = SCORE_RANGE[survey.kind]
    value = parsing.whole(score, "score", problems, minimum=low, maximum=high)
    channel = parsing.choice(channel or Channel.IN_STORE, "channel", problems, Channel)
    comment = parsing.text(comment, "comment", problems, limit=2000)
    reference = parsing.text(reference, "reference", problems, limit=60)
    problems.raise_if_any()
    if not survey.active:
        raise ValidationFailed(_("This survey is closed."), fields={"survey": _("Closed.")})
    if reference:
        done = SurveyResponse.objects.filter(survey=survey, reference=reference).first()
        if done is not None:
            return done, False
    member = _member(actor, member)
    at = at or timezone.now()
    response = SurveyResponse.objects.create(
        survey=survey, member=member, store=store, staff=_staff(actor), channel=channel, score=value, comment=comment, at=at,
        business_date=clock.business_date(at, store), reference=reference)
    if member is not None:
        points = points_award_bonus(member=member, action=BonusAction.SURVEY, store=store, actor=actor,
                                    on=response.business_date, note=f"survey {survey.code} #{response.pk}")
        if points:
            SurveyResponse.objects.filter(pk=response.pk).update(points=points)
            response.points = points
    return response, True


# ---- complaints --------------------------------------------------------------------------------

def _event(complaint: Complaint, *, actor, verb: str, from_status: str = "", to_status: str = "", note: str = "",
           payload: dict | None = None) -> ComplaintEvent:
    return ComplaintEvent.objects.create(complaint=complaint, verb=verb, from_status=from_status, to_status=to_status,
                                         note=note, payload=payload or {}, **actor_fields(actor))


def _owner_ok(owner, store) -> None:
    if owner is None:
        return
    if not isinstance(owner, Staff) or not owner.is_active:
        raise ValidationFailed(_("The owner must be an active staff member."), fields={"owner": _("Not an active staff member.")})
    if owner.role in Role.STORE_ROLES and store.pk not in owner.store_ids:
        raise ValidationFailed(_("The owner does not work in the complaint's store."), fields={"owner": _("Not in this store.")})


@transaction.atomic
def complaint_create(*, actor, store, category: ComplaintCategory, description: str, member=None, channel: str = Channel.IN_STORE,
                     received_at: dt.datetime | None = None, owner=None) -> Complaint:
    """File a complaint. The deadline is the received date plus the category's days (at the store)."""
    require(actor, Action.FEEDBACK)
    check_store(actor, store)
    problems = parsing.Problems()
    description = parsing.text(description, "description", problems, limit=4000, required=True)
    channel = parsing.choice(channel or Channel.IN_STORE, "channel", problems, Channel)
    if category is None or not category.active:
        problems.add("category", _("Choose an active category."))
    problems.raise_if_any()
    received_at = received_at or timezone.now()
    if received_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationFailed(_("A complaint cannot be received in the future."), fields={"received_at": _("In the future.")})
    member = _member(actor, member)
    if owner is None and _staff(actor) is not None and actor.role != Role.HQ_ADMIN:
        owner = actor  # whoever takes the complaint owns it until a manager assigns it
    _owner_ok(owner, store)
    received_on = clock.business_date(received_at, store)
    complaint = Complaint.objects.create(
        number=f"TS{Sequence.next('complaint'):08d}", member=member, store=store, category=category, channel=channel,
        description=description, received_at=received_at, deadline=received_on + dt.timedelta(days=deadline_days(category)),
        owner=owner, created_by=_staff(actor))
    _event(complaint, actor=actor, verb="created", to_status=complaint.status,
           payload={"category": category.code, "deadline": complaint.deadline.isoformat(), "owner": getattr(owner, "pk", None)})
    return complaint


def _locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


@transaction.atomic
def complaint_assign(*, actor, complaint: Complaint, owner, note: str = "") -> Complaint:
    require(actor, Action.COMPLAINT_MANAGE)
    complaint = _locked(complaint)
    check_store(actor, complaint.store)
    if complaint.status == ComplaintStatus.CLOSED:
        raise Conflict(_("The complaint is closed."), code="illegal_transition")
    _owner_ok(owner, complaint.store)
    before = complaint.owner_id
    complaint.owner = owner
    complaint.save(update_fields=["owner", "updated_at"])
    _event(complaint, actor=actor, verb="assigned", note=(note or "")[:2000], payload={"from": before, "to": getattr(owner, "pk", None)})
    return complaint


@transaction.atomic
def complaint_move(*, actor, complaint: Complaint, to: str, note: str = "", remedy: str = "", closure_note: str = "") -> Complaint:
    """Move a complaint along its life cycle. Resolving needs the remedy (补救措施), closing a closure
    note (how the customer took it). The owner may work and resolve his complaint; assigning and
    closing are for managers."""
    complaint = _locked(complaint)
    check_store(actor, complaint.store)
    manager = actor is None or can(actor, Action.COMPLAINT_MANAGE)
    owner = actor is not None and getattr(actor, "pk", None) == complaint.owner_id and can(actor, Action.FEEDBACK)
    if not manager and not (owner and to != ComplaintStatus.CLOSED):
        raise PermissionDenied(_("Only the owner or a manager may move this complaint; only a manager may close it."))
    if to not in COMPLAINT_TRANSITIONS.get(complaint.status, ()):
        raise Conflict(_("A complaint cannot move from %(a)s to %(b)s.")
                       % {"a": complaint.get_status_display(), "b": ComplaintStatus(to).label if to in ComplaintStatus.values else to},
                       code="illegal_transition")
    problems = parsing.Problems()
    remedy = parsing.text(remedy, "remedy", problems, limit=4000)
    closure_note = parsing.text(closure_note, "closure_note", problems, limit=4000)
    note = parsing.text(note, "note", problems, limit=2000)
    problems.raise_if_any()
    now = timezone.now()
    fields = ["status", "updated_at"]
    if remedy:
        complaint.remedy = remedy
        fields.append("remedy")
    if to == ComplaintStatus.RESOLVED:
        if not complaint.remedy:
            raise ValidationFailed(_("Say what was done for the customer (the remedy)."), fields={"remedy": _("Required.")})
        complaint.resolved_at = now
        fields.append("resolved_at")
    if to == ComplaintStatus.CLOSED:
        if not closure_note:
            raise ValidationFailed(_("Write how the customer took the remedy (closure note)."), fields={"closure_note": _("Required.")})
        complaint.closure_note, complaint.closed_at = closure_note, now
        fields += ["closure_note", "closed_at"]
    before = complaint.status
    complaint.status = to
    complaint.save(update_fields=fields)
    _event(complaint, actor=actor, verb="moved", from_status=before, to_status=to, note=note or closure_note,
           payload={"remedy": remedy} if remedy else {})
    return complaint


def store_manager(store):
    return Staff.objects.filter(role=Role.STORE_MANAGER, is_active=True, stores=store).order_by("pk").first()


@transaction.atomic
def complaints_escalate(*, on: dt.date) -> dict:
    """Daily job part: unresolved complaints whose deadline passed before `on` go to the store
    manager, once (the `escalated` flag); a second run, for this date or a later one, changes nothing."""
    due = (Complaint.objects.select_for_update().select_related("store")
           .filter(status__in=UNRESOLVED, escalated=False, deadline__lt=on).order_by("pk"))
    managers: dict[int, object] = {}
    escalated = []
    for complaint in due:
        if complaint.store_id not in managers:
            managers[complaint.store_id] = store_manager(complaint.store)
        manager = managers[complaint.store_id]
        Complaint.objects.filter(pk=complaint.pk).update(escalated=True, escalated_on=on, escalated_to=manager, updated_at=timezone.now())
        _event(complaint, actor=None, verb="escalated", payload={"on": on.isoformat(), "to": getattr(manager, "pk", None),
                                                                 "deadline": complaint.deadline.isoformat()})
        escalated.append(complaint.number)
    return {"escalated": len(escalated), "complaints": escalated[:100]}


# ---- referrals ---------------------------------------------------------------------------------

@transaction.atomic
def referral_record(*, actor, referrer, referred, store=None, at: dt.datetime | None = None, note: str = "") -> tuple[Referral, bool]:
    """Record that `referrer` brought `referred` (转介绍) and reward the referrer with the policy's
    points, once: the referred member's row is locked first, so two clerks recording the same
    referral queue up and the second finds the first; `Referral.referred` is unique as backstop.
    Returns (referral, created). No seed takes the reward back later (e.g. when the new member
    withdraws), so nothing does."""
    require(actor, Action.FEEDBACK)
    problems = parsing.Problems()
    note = parsing.text(note, "note", problems, limit=200)
    problems.raise_if_any()
    referrer, referred = _member(actor, referrer), _member(actor, referred)
    if referrer.pk == referred.pk:
        raise ValidationFailed(_("A member cannot refer himself."), fields={"referred": _("Same as the referrer.")})
    store = store or referred.home_store
    check_store(actor, store)
    Member.objects.select_for_update().filter(pk=referred.pk).first()  # the lock that serialises recorders
    existing = Referral.objects.filter(referred=referred).first()
    if existing is not None:
        if existing.referrer_id != referrer.pk:
            raise Conflict(_("This member was already referred by someone else."), code="already_referred")
        return existing, False
    if referred.referrer_id and referred.referrer_id != referrer.pk:
        raise Conflict(_("This member's file names another referrer."), code="already_referred")
    if referred.enrolled_at < referrer.enrolled_at:
        raise ValidationFailed(_("The referred member joined before the referrer."), fields={"referred": _("Joined earlier.")})
    at = at or timezone.now()
    points = policy().referral_points
    try:
        with transaction.atomic():
            referral = Referral.objects.create(referrer=referrer, referred=referred, store=store, at=at, points=points,
                                               status=ReferralStatus.REWARDED if points else ReferralStatus.NO_REWARD,
                                               staff=_staff(actor), note=note)
    except IntegrityError:  # a twin committed between our check and our insert (no lock on SQLite's side)
        existing = Referral.objects.filter(referred=referred).first()
        if existing is None or existing.referrer_id != referrer.pk:
            raise Conflict(_("This member was already referred by someone else."), code="already_referred")
        return existing, False
    if points:
        entry = points_credit_bonus(member=referrer, points=points, action="referral", store=store, actor=actor,
                                    on=clock.business_date(at, store), note=f"referral {referred.member_no}",
                                    detail={"referral": referral.pk, "referred": referred.pk})
        Referral.objects.filter(pk=referral.pk).update(points_entry=entry)
        referral.points_entry = entry
    if referred.referrer_id is None:
        Member.objects.filter(pk=referred.pk).update(referrer=referrer, updated_at=timezone.now())
    event_record(actor=actor, verb="referral.recorded", obj=referral,
                 payload={"referrer": referrer.pk, "referred": referred.pk, "points": points})
    return referral, True


def complaint_for_actor(actor, pk) -> Complaint:
    if not str(pk).isdigit() or int(pk) > 2**63 - 1:
        raise NotFound(_("No such complaint."))
    try:
        return complaints_for(actor).get(pk=pk)
    except (Complaint.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such complaint."))

