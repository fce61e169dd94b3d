"""Signals other apps listen to, so members does not import them.

`member_withdrawing(member, actor)`: a withdrawal (退会) is about to anonymise the member, inside its
transaction with the member row locked. A receiver may refuse it by raising a DomainError (nothing
is changed then) — stored value does while principal is left (wallet.refunds) — or record what the
withdrawal ends, in the same transaction."""
from django.dispatch import Signal

member_withdrawing = Signal()
