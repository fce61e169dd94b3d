"""What coupons does when the member file changes (members.signals)."""
from __future__ import annotations

from vipdesk.core.clock import today

from .services import coupons_issue_for_event


def on_member_enrolled(sender, *, member, actor, **kwargs) -> None:
    """Coupons given on registration (issue 4 §2), once per member."""
    coupons_issue_for_event(member=member, trigger="registration", on=today(member.home_store), key="registration",
                            store_code=member.home_store.code)
