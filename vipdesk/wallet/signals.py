"""Signals of the stored-value app, so the apps above need not be imported by it.

`wallet_entry_written(entry)`: a stored-value ledger entry has just been appended and the account's
cached balances moved (inside the writer's transaction); webhooks announce stored_value.changed.
"""
from django.dispatch import Signal

wallet_entry_written = Signal()
