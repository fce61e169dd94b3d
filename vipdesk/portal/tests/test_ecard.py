"""The dynamic e-card: read from the phone page, it identifies the member at the till; an old code
is refused with its own error and writes nothing."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from vipdesk.api.tests.conftest import Api
from vipdesk.members import ecard
from vipdesk.members.models import EcardKey
from vipdesk.org.services import api_client_create
from vipdesk.sales.models import Sale

pytestmark = pytest.mark.django_db


def code_on_phone(client) -> str:
    page = client.get("/m/card/").content.decode()
    return re.search(r'data-code="(\d+)"', page).group(1)


def sale(code, receipt):
    return {"store": "SA01", "receipt_no": receipt, "occurred_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
            "member": {"ecard": code}, "amount_paid": "100.00",
            "lines": [{"sku": "SCF-01", "unit_price": "100.00", "quantity": 1, "amount": "100.00"}],
            "payments": [{"method": "cash", "amount": "100.00"}]}


@pytest.fixture
def till(store_a):
    return Api(api_client_create(name="POS A1", store_code="SA01")[1])


def test_the_code_is_digits_with_the_member_and_a_totp_and_the_secret_is_encrypted(member, signed_in):
    code = code_on_phone(signed_in)
    assert code.startswith(f"88{member.pk}") and len(code) == 2 + len(str(member.pk)) + 6 and code.isdigit()
    assert len(EcardKey.objects.get(member=member).secret) == 40
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM members_ecardkey WHERE member_id = %s", [member.pk])
        raw = cursor.fetchone()[0]
    assert raw != EcardKey.objects.get(member=member).secret and raw.startswith("gAAAA")  # Fernet ciphertext


def test_the_code_changes_every_minute_and_the_page_refreshes_it(member, signed_in, clock):
    first = code_on_phone(signed_in)
    clock.shift(dt.timedelta(seconds=60))
    fragment = signed_in.get("/m/card/?fragment=1")
    assert fragment["Cache-Control"] == "no-store" and "<html" not in fragment.content.decode()
    assert re.search(r'data-code="(\d+)"', fragment.content.decode()).group(1) != first


def test_a_code_read_from_the_phone_identifies_the_member_at_the_till(member, signed_in, till):
    code = code_on_phone(signed_in)
    response = till.post("/api/v1/sales/", sale(code, "E-1"))
    assert response.status_code == 201, response.json()
    assert response.json()["member"]["member_no"] == member.member_no
    assert Sale.objects.get().identified_by == "ecard"


def test_the_previous_minutes_code_still_works(member, signed_in, till, clock):
    code = code_on_phone(signed_in)
    clock.shift(dt.timedelta(seconds=ecard.STEP))
    assert till.post("/api/v1/sales/", sale(code, "E-2")).status_code == 201


def test_a_code_from_three_minutes_earlier_is_refused_and_nothing_is_written(member, signed_in, till, clock):
    code = code_on_phone(signed_in)
    clock.shift(dt.timedelta(minutes=3))
    response = till.post("/api/v1/sales/", sale(code, "E-3"))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "ecard_expired" and "过期" in body["message"]
    assert not Sale.objects.exists()
    member.refresh_from_db()
    assert member.total_spend == 0


def test_a_made_up_code_is_refused_the_same_way(member, till):
    for code in (f"88{member.pk}000000", "88999999123456"):
        response = till.post("/api/v1/sales/", sale(code, "E-4"))
        assert response.status_code == 422 and response.json()["code"] == "ecard_expired"
    assert not Sale.objects.exists()
