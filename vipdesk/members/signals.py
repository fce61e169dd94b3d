"""Signals other apps listen to, so members does not import them (dependencies point one way:
docs/architecture.md). Every one is sent inside the service's transaction: a receiver that raises
undoes the whole change, and what a receiver writes commits with it.

`member_withdrawing(member, actor)`: a withdrawal (退会) is about to anonymise the member, with the
member row locked. A receiver may refuse it by raising a DomainError (nothing is changed then) —
stored value does while principal is left (wallet.refunds) — or record what the withdrawal ends.

`member_withdrawn(member, actor)`: the member has just been anonymised; receivers forget what named
her (messaging erases her messages, care cancels her tasks and blanks their scripts).

`member_enrolled(member, actor)`: a new member is on file (care logs the opener as owner, R10.2;
coupons gives the registration coupons).

`member_updated(member, fields, actor)`: the file was changed by hand (`fields`: the names of the
changed fields, never their values); webhooks announce it.

`member_owner_changed(member, from_staff_id, actor)`: the owner (专属导购) was changed by hand; care
logs it and hands her pending tasks to the new owner.
"""
from django.dispatch import Signal

member_withdrawing = Signal()
member_withdrawn = Signal()
member_enrolled = Signal()
member_owner_changed = Signal()
member_updated = Signal()
