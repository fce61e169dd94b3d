"""What points does when the member file changes (members.signals)."""
from __future__ import annotations

from .bonuses import points_award_registration


def on_member_enrolled(sender, *, member, actor, **kwargs) -> None:
    """The registration bonus (R5.1), once per member."""
    points_award_registration(member=member, actor=actor)
