"""What care does when the member file changes (members.signals), without members importing care."""
from __future__ import annotations

from .ownership import owner_at_enrolment, owner_changed_by_hand
from .services import care_forget_member


def on_member_enrolled(sender, *, member, actor, **kwargs) -> None:
    owner_at_enrolment(member=member, actor=actor)  # the opener owns the member (R10.2); logged


def on_member_owner_changed(sender, *, member, from_staff_id, actor, **kwargs) -> None:
    owner_changed_by_hand(member=member, from_staff_id=from_staff_id, actor=actor)


def on_member_withdrawn(sender, *, member, actor, **kwargs) -> None:
    care_forget_member(member=member)  # no more care tasks; their scripts named the person
