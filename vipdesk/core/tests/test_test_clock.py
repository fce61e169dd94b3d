"""The suite's own clock (issue 13, item 1): every test starts at the chosen instant, and time moves."""
import datetime as dt

from django.utils import timezone

from vipdesk.core import clock as business_clock
from vipdesk.testing.clock import SHANGHAI, test_now

START = timezone.now()  # evaluated at collection, while the clock stands at the chosen instant


def test_a_test_starts_at_the_chosen_instant_not_the_real_date():
    assert abs(timezone.now() - test_now()) < dt.timedelta(seconds=5)
    assert business_clock.today() == test_now().astimezone(SHANGHAI).date()


def test_module_constants_see_the_chosen_instant_too():
    assert START == test_now()


def test_the_clock_ticks_within_a_test_and_can_travel(clock):
    first = timezone.now()
    for _ in range(10_000_000):
        if timezone.now() > first:
            break
    assert timezone.now() > first
    clock.move_to(dt.datetime(2028, 2, 29, 23, 59, tzinfo=SHANGHAI))
    assert business_clock.today() == dt.date(2028, 2, 29)
