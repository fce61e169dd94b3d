"""The opt-out link in a campaign's message (issue 18 §1): /o/<token>/ where the token is the
campaign and member ids signed with the project's secret key (django.core.signing, its own salt),
so nobody can opt out someone else by changing a number. Opening the link shows a confirmation;
confirming withdraws the member's marketing consent on the campaign's channel (the inbox: on SMS
and e-mail) at once, through the members' consent service (source "link")."""
from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from vipdesk.core.errors import NotFound
from vipdesk.members.choices import ConsentChannel, ConsentPurpose, ConsentSource
from vipdesk.members.models import Member
from vipdesk.members.services import consent_set
from vipdesk.messaging.choices import Channel
from vipdesk.messaging.policy import consent_refusal

from .models import Campaign

SALT = "vipdesk.campaigns.optout"


def optout_token(campaign_id: int, member_id: int) -> str:
    return signing.Signer(salt=SALT).sign(f"{campaign_id}.{member_id}")


def optout_url(campaign_id: int, member_id: int) -> str:
    base = str(settings.VIPDESK.get("PUBLIC_URL") or "")
    return base + reverse("campaign-optout", kwargs={"token": optout_token(campaign_id, member_id)})


def optout_read(token: str) -> tuple[Campaign, Member]:
    """The campaign and member a link names, or NotFound (a forged, altered or unknown link)."""
    try:
        value = signing.Signer(salt=SALT).unsign(str(token or "")[:200])
        campaign_id, member_id = (int(part) for part in value.split("."))
    except (signing.BadSignature, ValueError):
        raise NotFound(_("This link is not valid.")) from None
    campaign = Campaign.objects.select_related("template").filter(pk=campaign_id).first()
    member = Member.objects.filter(pk=member_id).first()
    if campaign is None or member is None or member.is_withdrawn:
        raise NotFound(_("This link is not valid."))
    return campaign, member


def _channels(campaign: Campaign) -> list[str]:
    if campaign.channel == Channel.SMS:
        return [ConsentChannel.SMS]
    if campaign.channel == Channel.EMAIL:
        return [ConsentChannel.EMAIL]
    return [ConsentChannel.SMS, ConsentChannel.EMAIL]  # the inbox's marketing follows SMS and e-mail consent


@transaction.atomic
def optout_confirm(token: str) -> int:
    """Withdraw the marketing consent the link's campaign relied on; returns how many rows were written
    (0: already out — a second click changes nothing)."""
    campaign, member = optout_read(token)
    written = 0
    for channel in _channels(campaign):
        if consent_refusal(member, ConsentPurpose.MARKETING, channel) is None:
            consent_set(actor=None, member=member, purpose=ConsentPurpose.MARKETING, channel=channel, granted=False,
                        source=ConsentSource.LINK)
            written += 1
    return written
