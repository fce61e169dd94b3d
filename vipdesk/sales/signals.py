"""Signals of the receipts store, so the apps above the till need not be imported by it.

`sale_credited(sale, on)`: a sale has just been credited to its member — posted with the member
identified, or attached to her afterwards (`on` is then the day of attaching) — inside the posting's
transaction. Care makes the same-day follow-up call and the tier-change task (care.receivers).

`sale_returned(sale_return)`: a return (a Sale of kind return, `original` set) has just been posted,
inside the posting's transaction, after its loyalty effects; webhooks announce it."""
from django.dispatch import Signal

sale_credited = Signal()
sale_returned = Signal()
