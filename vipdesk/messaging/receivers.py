"""What messaging does when the member file changes (members.signals)."""
from __future__ import annotations

from .services import member_messages_erase


def on_member_withdrawn(sender, *, member, actor, **kwargs) -> None:
    member_messages_erase(member=member)  # 退会: nothing more is sent; texts and addresses erased
