"""Logging helpers wired in config/settings.py LOGGING.

Django's request logger attaches the exception (with its traceback) to every 4xx it logs — a user
opening a page his role may not use (403) filled the log with a stack trace (issue 15 §7). A refusal
is an answer, not a fault: `OneLineClientErrors` keeps the one line ("Forbidden (Permission denied):
/path") and drops the traceback below 500; server errors keep theirs.
"""
from __future__ import annotations

import logging


class OneLineClientErrors(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
