"""The instant the test suite lives at (issue 13): never the real date.

By default 2026-06-17 10:30 in Shanghai, a Wednesday away from month, quarter and year ends;
`VIPDESK_TEST_NOW=YYYY-MM-DD[THH:MM]` (Shanghai time unless it carries an offset) moves it, and CI
runs the suite again at awkward instants. vipdesk/conftest.py stops the clock there for collection
and session/module fixtures, and starts every test there with the clock ticking.
"""
from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

DEFAULT_TEST_NOW = "2026-06-17T10:30"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_now() -> dt.datetime:
    raw = os.environ.get("VIPDESK_TEST_NOW") or DEFAULT_TEST_NOW
    moment = dt.datetime.fromisoformat(raw if "T" in raw else f"{raw}T10:30")
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


test_now.__test__ = False  # a helper, not a test
