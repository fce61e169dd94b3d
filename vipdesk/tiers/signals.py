"""Signals of the tiers app, so the apps above need not be imported by it.

`tier_changed(rows)`: TierHistory rows have just been written (a member's level moved: upgrade,
return, override, approval, downgrade by the retention run), inside the writer's transaction.
Webhooks announce each as tier.changed."""
from django.dispatch import Signal

tier_changed = Signal()
