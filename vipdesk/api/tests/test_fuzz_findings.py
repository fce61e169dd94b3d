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


def test_an_api_address_with_a_newline_is_the_json_404(hq_api):
    """Found by the schema-conformance run: a newline in a path parameter slipped past the catch-all
    (".*" stops at a newline) and Django answered its HTML 404 page."""
    response = hq_api.get("/api/v1/members/%C3%B8j%0A%3D/messages/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
