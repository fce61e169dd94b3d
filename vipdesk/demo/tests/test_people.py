"""The demo's people generator: deterministic, realistic, and always valid."""
import datetime as dt
import random
from collections import Counter

from vipdesk.core.validators import normalize_id_number, normalize_mobile
from vipdesk.demo.people import BEIJING, PeopleFactory


def test_same_seed_same_people():
    a, b = PeopleFactory(random.Random(5)), PeopleFactory(random.Random(5))
    assert [a.name("F") for _ in range(20)] == [b.name("F") for _ in range(20)]
    assert [a.mobile() for _ in range(20)] == [b.mobile() for _ in range(20)]


def test_common_surnames_dominate():
    people = PeopleFactory(random.Random(1))
    top = [s for s, _n in Counter(people.surname() for _ in range(3000)).most_common(5)]
    assert set(top[:3]) <= {"王", "李", "张", "刘"}


def test_mobiles_are_unique_and_in_mobile_ranges():
    people = PeopleFactory(random.Random(2))
    mobiles = [people.mobile() for _ in range(500)]
    assert len(set(mobiles)) == 500
    assert all(normalize_mobile(m) == m for m in mobiles)


def test_id_numbers_carry_birthday_and_sex():
    people = PeopleFactory(random.Random(3))
    born = dt.date(1988, 2, 29)
    for gender in ("M", "F") * 50:
        number = people.id_number(born, gender, BEIJING)
        assert normalize_id_number(number) == number
        assert number[6:14] == "19880229" and int(number[16]) % 2 == (1 if gender == "M" else 0)
