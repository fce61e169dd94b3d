"""Campaign services (issue 18 §1): save a draft, preview its reach, schedule, and the every-minute
run that starts due campaigns (selection) and hands each sending campaign's next minute of
messages to the outbox; pause, resume and stop. The console and the job call these; HQ only
(Action.MESSAGE_CONFIG: who keeps the message templates decides what goes to whole segments).

Selection. Once, when the campaign starts: the audience's members in id order, 5,000 at a time; for
each chunk messaging's `forecast` says — by the rules `enqueue` applies (consent for the marketing
purpose, address, weekly cap, quiet hours) — who could be reached now; the unreachable are recorded
"excluded" with the reason, the reachable split into target and control by `in_control` (a hash
of the recorded seed and the member id), and the rows written with one bulk insert per chunk that
ignores rows already there, so a selection cut short and run again writes each member once.

Hand-over. Each run takes, under a lock on the campaign row, at most `throttle` target members not
yet handed over (none during quiet hours for SMS and e-mail: they would all wait for the morning
and leave together), renders the template for each and calls messaging's `enqueue_texts` with the
source "campaign:<id>:<member>": the outbox's unique (source, channel) means a run that dies after
writing the rows and is run again gets the same rows back instead of new ones. At send time the
outbox checks consent once more, so an opt-out stops a message already queued.

On PostgreSQL the preview, the selection and the hand-over of most campaigns are set-based SQL
(bulk.py: the same rules, the same rows, tested against this per-member path); SQLite and templates
the SQL cannot render take the path described above.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import Counter

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from vipdesk.accounts.roles import Action, require
from vipdesk.analytics.models import Segment
from vipdesk.audit.services import event_record
from vipdesk.core import parsing
from vipdesk.core.errors import Conflict, NotFound
from vipdesk.members.choices import ConsentPurpose
from vipdesk.members.models import Member
from vipdesk.messaging import policy, rendering
from vipdesk.messaging.choices import PENDING, Channel, MessageKind, OutboxStatus
from vipdesk.messaging.models import MessageTemplate, OutboxMessage
from vipdesk.messaging.outbox import message_cancel
from vipdesk.messaging.services import Text, enqueue_texts, forecast
from vipdesk.tiers.models import Level

from . import bulk
from .audience import audience_members, list_clean, unmatched
from .choices import EDITABLE, TRANSITIONS, Audience, CampaignStatus, Group
from .models import Campaign, CampaignMember
from .optout import optout_url

CHUNK = 5000
BULK_CHUNK = 50_000  # members per hand-over transaction on the SQL path (bulk.py) when there is no throttle
FIELDS = ("name", "template", "channel", "audience", "segment", "level", "member_list", "scheduled_at", "throttle",
          "control_percent", "response_days")
OPTOUT_PLACEHOLDER = "optout_url"
# Marketing SMS in China carry how to refuse them; the 退订 reply is read by messaging.inbound.
SMS_OPT_OUT = bulk.SMS_OPT_OUT


def _require(actor) -> None:
    require(actor, Action.MESSAGE_CONFIG, _("Your role may not run campaigns."), system=True)


def campaign_get(actor, pk) -> Campaign:
    _require(actor)
    found = Campaign.objects.select_related("template", "segment", "level").filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise NotFound(pgettext("marketing campaign", "No such campaign."), code="campaign_not_found")
    return found


# ---- the draft -------------------------------------------------------------------------------

def _when(value, problems: parsing.Problems) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if parsing.blank(value):
        return None
    try:
        at = dt.datetime.fromisoformat(str(value).strip())
    except ValueError:
        problems.add("scheduled_at", _("Not a valid time (YYYY-MM-DD HH:MM)."))
        return None
    return at if timezone.is_aware(at) else timezone.make_aware(at)


def _clean(data: dict) -> dict:
    problems = parsing.Problems()
    for key in sorted(set(data) - set(FIELDS)):
        problems.add(key, _("Unknown field."))
    out: dict = {"name": parsing.text(data.get("name"), "name", problems, limit=60, required=True)}
    code = parsing.text(data.get("template"), "template", problems, limit=40, required=True)
    template = MessageTemplate.objects.filter(code=code, active=True).first() if code else None
    if code and template is None:
        problems.add("template", _("No active message template with this code."))
    elif template is not None and template.purpose != ConsentPurpose.MARKETING:
        problems.add("template", _("A campaign sends marketing templates only."))
    out["template"] = template
    out["channel"] = parsing.choice(data.get("channel"), "channel", problems, Channel)
    if template is not None and out["channel"] and out["channel"] not in (template.channels or []):
        problems.add("channel", _("The template is not for this channel."))
    out["audience"] = parsing.choice(data.get("audience"), "audience", problems, Audience)
    out["segment"] = out["level"] = None
    out["member_list"] = []
    if out["audience"] == Audience.SEGMENT:
        pk = str(data.get("segment") or "").strip()
        out["segment"] = Segment.objects.filter(pk=pk).first() if pk.isdigit() else None
        if out["segment"] is None:
            problems.add("segment", _("Choose a saved segment."))
    elif out["audience"] == Audience.LEVEL:
        code = str(data.get("level") or "").strip()
        out["level"] = Level.objects.filter(programme__active=True, code=code).first() if code else None
        if out["level"] is None:
            problems.add("level", _("Choose a level."))
    elif out["audience"] == Audience.LIST:
        out["member_list"] = list_clean(data.get("member_list"), problems)
    out["scheduled_at"] = _when(data.get("scheduled_at"), problems)
    out["throttle"] = parsing.whole(data.get("throttle", 500), "throttle", problems, minimum=0, maximum=100_000)
    out["control_percent"] = parsing.whole(data.get("control_percent", 10), "control_percent", problems, minimum=0, maximum=50)
    out["response_days"] = parsing.whole(data.get("response_days", 14), "response_days", problems, minimum=1, maximum=180)
    problems.raise_if_any()
    return out


def campaign_draft(*, actor, data: dict) -> Campaign:
    """An unsaved campaign from the form, to preview its reach before saving (ValidationFailed as campaign_save)."""
    _require(actor)
    campaign = Campaign(seed=secrets.randbits(62), **_clean(data))
    return campaign


@transaction.atomic
def campaign_save(*, actor, data: dict, campaign: Campaign | None = None) -> Campaign:
    """A new draft, or a draft changed (a scheduled campaign goes back to draft to be changed)."""
    _require(actor)
    if campaign is not None:
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status not in EDITABLE:
            raise Conflict(_("Only a draft can be changed."), code="campaign_not_draft")
    clean = _clean(data)
    if campaign is None:
        campaign = Campaign(created_by=actor if getattr(actor, "_meta", None) else None, seed=secrets.randbits(62))
    for key, value in clean.items():
        setattr(campaign, key, value)
    campaign.save()
    event_record(actor=actor, verb="campaign.save", obj=campaign, payload={"name": campaign.name, "audience": campaign.audience})
    return campaign


# ---- the control group and the forecast ------------------------------------------------------

def in_control(seed: int, member_id: int, percent: int) -> bool:
    """Whether the member is held out: the first 8 bytes of sha256("<seed>:<member id>") modulo
    10,000 below percent × 100. The same seed draws the same members, whoever runs it."""
    if percent <= 0:
        return False
    digest = hashlib.sha256(f"{seed}:{member_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 10_000 < percent * 100


def _chunks(campaign: Campaign, after: int = 0):
    ids = audience_members(campaign).filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)
    batch = []
    for pk in ids.iterator(chunk_size=CHUNK):
        batch.append(pk)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _decisions(campaign: Campaign, ids: list[int], at: dt.datetime) -> dict[int, tuple[str, str, dt.datetime]]:
    members = Member.objects.filter(pk__in=ids).only("id", "status", "mobile", "email", "home_store").select_related("home_store")
    template = campaign.template
    return forecast(members, purpose=template.purpose, kind=template.kind, channel=campaign.channel, at=at)


def campaign_preview(campaign: Campaign, *, at: dt.datetime | None = None) -> dict:
    """How many members the campaign would reach if it started at `at` (default: its scheduled time,
    else now): the audience, those excluded by reason, those whose message would wait for the end
    of quiet hours, and the split of the reachable into target and control by the campaign's seed."""
    at = at or campaign.scheduled_at or timezone.now()
    reasons: Counter = Counter()
    audience = deferred = target = control = 0
    if bulk.available(campaign):
        for reason, held_out, quiet, n in bulk.reach_counts(campaign, at, audience_members(campaign)):
            audience += n
            if reason:
                reasons[reason] += n
                continue
            deferred += n if quiet else 0
            control, target = (control + n, target) if held_out else (control, target + n)
        return {"audience": audience, "unmatched": unmatched(campaign), "excluded": dict(reasons),
                "excluded_total": sum(reasons.values()), "reachable": target + control, "deferred": deferred, "target": target,
                "control": control}
    for ids in _chunks(campaign):
        audience += len(ids)
        for member_id, (status, reason, _when_) in _decisions(campaign, ids, at).items():
            if status == OutboxStatus.SUPPRESSED:
                reasons[reason] += 1
                continue
            deferred += status == OutboxStatus.DEFERRED
            if in_control(campaign.seed, member_id, campaign.control_percent):
                control += 1
            else:
                target += 1
    return {"audience": audience, "unmatched": unmatched(campaign), "excluded": dict(reasons), "excluded_total": sum(reasons.values()),
            "reachable": target + control, "deferred": deferred, "target": target, "control": control}


# ---- the life cycle ---------------------------------------------------------------------------

def _move(campaign: Campaign, status: str, actor, *, now: dt.datetime, **fields) -> Campaign:
    if status not in TRANSITIONS[campaign.status]:
        raise Conflict(_("A campaign that is %(old)s cannot become %(new)s.")
                       % {"old": CampaignStatus(campaign.status).label, "new": CampaignStatus(status).label}, code="campaign_illegal_move")
    before = campaign.status
    campaign.status = status
    for key, value in fields.items():
        setattr(campaign, key, value)
    campaign.save()
    event_record(actor=actor, verb=f"campaign.{status}", obj=campaign, payload={"from": before, "at": now.isoformat()})
    return campaign


def _locked(campaign: Campaign | int) -> Campaign:
    return Campaign.objects.select_for_update().select_related("template").get(pk=getattr(campaign, "pk", campaign))


@transaction.atomic
def campaign_schedule(*, actor, campaign: Campaign, now: dt.datetime | None = None) -> Campaign:
    """Draft → scheduled: the run starts it at its time (none given: at the next run)."""
    _require(actor)
    now = now or timezone.now()
    campaign = _locked(campaign)
    if not campaign.template.active:
        raise Conflict(_("The template has been switched off."), code="template_inactive")
    return _move(campaign, CampaignStatus.SCHEDULED, actor, now=now, scheduled_at=campaign.scheduled_at or now)


@transaction.atomic
def campaign_unschedule(*, actor, campaign: Campaign, now: dt.datetime | None = None) -> Campaign:
    _require(actor)
    return _move(_locked(campaign), CampaignStatus.DRAFT, actor, now=now or timezone.now())


@transaction.atomic
def campaign_pause(*, actor, campaign: Campaign, now: dt.datetime | None = None) -> Campaign:
    """No more messages are handed over until resumed (the last minute's, already in the outbox, go)."""
    _require(actor)
    return _move(_locked(campaign), CampaignStatus.PAUSED, actor, now=now or timezone.now())


@transaction.atomic
def campaign_resume(*, actor, campaign: Campaign, now: dt.datetime | None = None) -> Campaign:
    _require(actor)
    return _move(_locked(campaign), CampaignStatus.SENDING, actor, now=now or timezone.now())


@transaction.atomic
def campaign_stop(*, actor, campaign: Campaign, now: dt.datetime | None = None) -> Campaign:
    """Nothing more goes: no further hand-over, and the campaign's messages still waiting in the
    outbox are cancelled (those being sent right now cannot be called back)."""
    _require(actor)
    now = now or timezone.now()
    campaign = _move(_locked(campaign), CampaignStatus.STOPPED, actor, now=now, ended_at=now)
    waiting = OutboxMessage.objects.filter(pk__in=CampaignMember.objects.filter(campaign=campaign, outbox__isnull=False)
                                           .values("outbox_id"), status__in=list(PENDING)).values_list("pk", flat=True)
    for pk in list(waiting):
        message_cancel(actor=None, message=pk, now=now)
    return campaign


# ---- the run: selection and hand-over --------------------------------------------------------

def campaign_select(campaign: Campaign, *, now: dt.datetime) -> int:
    """Record the audience's members with their group (idempotent; see the module's docstring).
    Resumes after the highest member id already recorded. Returns the rows written."""
    last = CampaignMember.objects.filter(campaign=campaign).order_by("-member_id").values_list("member_id", flat=True).first() or 0
    if bulk.available(campaign):
        with transaction.atomic():
            return bulk.select(campaign, now, audience_members(campaign), after=last)
    written = 0
    for ids in _chunks(campaign, after=last):
        rows = []
        for member_id, (status, reason, _at) in _decisions(campaign, ids, now).items():
            if status == OutboxStatus.SUPPRESSED:
                group = Group.EXCLUDED
            else:
                group, reason = (Group.CONTROL if in_control(campaign.seed, member_id, campaign.control_percent) else Group.TARGET), ""
            rows.append(CampaignMember(campaign=campaign, member_id=member_id, group=group, reason=reason))
        CampaignMember.objects.bulk_create(rows, batch_size=CHUNK, ignore_conflicts=True)
        written += len(rows)
    return written


# Per-member links other apps put in a campaign's messages: placeholder → f(campaign, member id) → text
# (vipdesk.events registers its reply link); campaigns import none of those apps.
PLACEHOLDERS: dict = {}


def register_placeholder(name: str, value) -> None:
    PLACEHOLDERS[name] = value


def _context(campaign: Campaign, member_id: int) -> dict:
    extra = campaign.template.extra_placeholders or []
    context = {OPTOUT_PLACEHOLDER: optout_url(campaign.pk, member_id)} if OPTOUT_PLACEHOLDER in extra else {}
    for name, value in PLACEHOLDERS.items():
        if name in extra:
            context[name] = value(campaign, member_id)
    return context


def _texts(campaign: Campaign, rows: list[CampaignMember]) -> list[Text]:
    members = (Member.objects.select_related("home_store", "owner", "tier__level")
               .in_bulk([r.member_id for r in rows]))
    template, texts = campaign.template, []
    for row in rows:
        rendered = rendering.render(template, members[row.member_id], context=_context(campaign, row.member_id))
        body = rendered.body
        if campaign.channel == Channel.SMS and "退订" not in body:
            body += SMS_OPT_OUT
        texts.append(Text(member_id=row.member_id, channel=campaign.channel, body=body, source=campaign.source_for(row.member_id),
                          purpose=template.purpose, kind=template.kind or MessageKind.MARKETING, subject=rendered.subject,
                          label=template.code, template_id=template.pk, params=rendered.params))
    return texts


def campaign_hand_over(campaign: Campaign | int, *, now: dt.datetime) -> int:
    """Hand the next `throttle` target members to the outbox (one transaction); returns how many.
    Finishes the campaign when none is left."""
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status != CampaignStatus.SENDING:
            return 0
        if policy.quiet_until(now, campaign.channel) is not None:
            return 0
        if bulk.available(campaign):
            handed = bulk.hand_over(campaign, now=now, limit=campaign.throttle or BULK_CHUNK)
            if not handed:
                _move(campaign, CampaignStatus.FINISHED, None, now=now, ended_at=now)
            return handed
        todo = CampaignMember.objects.filter(campaign=campaign, group=Group.TARGET, handed_at__isnull=True).order_by("id")
        rows = list(todo[:campaign.throttle] if campaign.throttle else todo[:CHUNK])
        if not rows:
            _move(campaign, CampaignStatus.FINISHED, None, now=now, ended_at=now)
            return 0
        messages = enqueue_texts(_texts(campaign, rows), now=now)
        for row, message in zip(rows, messages):
            row.outbox_id, row.handed_at = message.pk, now
        CampaignMember.objects.bulk_update(rows, ["outbox", "handed_at"], batch_size=CHUNK)
        return len(rows)


def campaigns_run(now: dt.datetime | None = None) -> dict:
    """The every-minute run: start the scheduled campaigns whose time has come (select, then
    sending), then hand over each sending campaign's next batch. A campaign without throttle is
    handed over completely in this run."""
    now = now or timezone.now()
    started = handed = 0
    for pk in Campaign.objects.filter(status=CampaignStatus.SCHEDULED, scheduled_at__lte=now).values_list("pk", flat=True):
        campaign = Campaign.objects.select_related("template", "segment", "level").get(pk=pk)
        campaign_select(campaign, now=now)
        with transaction.atomic():
            campaign = _locked(pk)
            if campaign.status == CampaignStatus.SCHEDULED:
                _move(campaign, CampaignStatus.SENDING, None, now=now, selected_at=now, started_at=now)
                started += 1
    for pk in Campaign.objects.filter(status=CampaignStatus.SENDING).values_list("pk", flat=True):
        while True:
            n = campaign_hand_over(pk, now=now)
            handed += n
            campaign = Campaign.objects.only("throttle", "status").get(pk=pk)
            if n == 0 or campaign.throttle:
                break
    return {"started": started, "handed": handed}
