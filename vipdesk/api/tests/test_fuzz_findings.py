"""Crashes the API fuzzing found below the API layer, pinned where they were fixed (members/validation.py)."""
import pytest

from vipdesk.core.errors import ValidationFailed
from vipdesk.members.validation import clean_member_data

pytestmark = pytest.mark.django_db


def test_overlong_email_is_a_validation_error_not_a_database_error(store_a):
    email = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".cn"  # passes validate_email, longer than the column
    with pytest.raises(ValidationFailed) as caught:
        clean_member_data({"name": "王", "mobile": "13912345678", "home_store": store_a.code, "email": email})
    assert "email" in caught.value.fields


@pytest.mark.parametrize("field", ["home_store", "owner", "referrer"])
def test_non_ascii_digits_do_not_crash_reference_lookup(store_a, field):
    data = {"name": "王", "mobile": "13912345678", "home_store": store_a.code, field: "²"}
    with pytest.raises(ValidationFailed) as caught:
        clean_member_data(data)
    assert field in caught.value.fields
