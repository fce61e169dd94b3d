"""The reply link in an invitation (/e/<token>/): the invitation's id signed with the project's key
(django.core.signing, its own salt) and a time stamp; it is refused once the event has started or
after MAX_AGE. Put in an invitation campaign's messages as the {rsvp_url} placeholder."""
from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from vipdesk.core.errors import NotFound

from .models import Event, Invitation

SALT = "vipdesk.events.rsvp"
MAX_AGE = 60 * 60 * 24 * 120  # seconds: a link lives at most 120 days (events are planned weeks ahead)
RSVP_PLACEHOLDER = "rsvp_url"


def rsvp_token(invitation_id: int) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(invitation_id))


def rsvp_url(invitation_id: int) -> str:
    return str(settings.VIPDESK.get("PUBLIC_URL") or "") + reverse("event-rsvp", kwargs={"token": rsvp_token(invitation_id)})


def rsvp_read(token: str) -> Invitation:
    """The invitation a link names, or NotFound (forged, altered, expired or unknown)."""
    try:
        pk = int(signing.TimestampSigner(salt=SALT).unsign(str(token or "")[:200], max_age=MAX_AGE))
    except (signing.BadSignature, ValueError):  # SignatureExpired is a BadSignature
        raise NotFound(_("This link is not valid or has expired."), code="rsvp_link_invalid") from None
    found = Invitation.objects.select_related("event", "member").filter(pk=pk).first()
    if found is None or found.member.is_withdrawn:
        raise NotFound(_("This link is not valid or has expired."), code="rsvp_link_invalid")
    return found


def rsvp_url_for_campaign(campaign, member_id: int) -> str:
    """The {rsvp_url} of an invitation campaign's message to one member ('' if none matches)."""
    event = Event.objects.filter(campaign_id=campaign.pk).first()
    invitation = Invitation.objects.filter(event=event, member_id=member_id).first() if event else None
    return rsvp_url(invitation.pk) if invitation else ""
