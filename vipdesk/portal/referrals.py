"""Referral links (转介绍, R9.5): ?ref= carries a signed member reference, so nobody can make one up."""
from __future__ import annotations

from django.core import signing

from vipdesk.members.choices import MemberStatus
from vipdesk.members.models import Member

REF_COOKIE, REF_SALT = "vipdesk_m_ref", "portal.referral"


def referral_code(member) -> str:
    """The value of ?ref= in a member's referral link (signed: nobody can make one up)."""
    return signing.dumps(member.pk, salt=REF_SALT, compress=True)


def referrer_from(value: str):
    try:
        pk = signing.loads(value or "", salt=REF_SALT, max_age=None)
    except signing.BadSignature:
        return None
    return Member.objects.filter(pk=pk).exclude(status=MemberStatus.WITHDRAWN).first()


