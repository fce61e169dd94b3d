import pytest

from vipdesk.core.models import Sequence

pytestmark = pytest.mark.django_db


def test_next_and_reserve_never_hand_out_a_number_twice():
    assert Sequence.next("x", start=100) == 101
    block = Sequence.reserve("x", 5)
    assert list(block) == [102, 103, 104, 105, 106]
    assert Sequence.next("x") == 107
    assert list(Sequence.reserve("fresh", 2, start=10)) == [11, 12]
