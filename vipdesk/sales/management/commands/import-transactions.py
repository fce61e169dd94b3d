"""`vipdesk import-transactions`: the spelling the documentation uses; the command lives in import_transactions.py."""
from .import_transactions import Command  # noqa: F401
