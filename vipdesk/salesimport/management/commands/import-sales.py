"""`vipdesk import-sales`: the spelling the documentation uses; the command lives in import_sales.py."""
from .import_sales import Command  # noqa: F401
