"""Signals of the points app, so the apps above need not be imported by it. Each is sent inside the
writer's transaction.

`points_expired(on, account_ids)`: the daily run has just expired lots (set-based) of these accounts
(PointsAccount.pk = the member's id) with entries of kind expire dated `on`; webhooks announce them.

`redemption_created(redemption)`: points were just redeemed for a catalogue item (a new Redemption,
not a replay of a reference seen before).
"""
from django.dispatch import Signal

points_expired = Signal()
redemption_created = Signal()
