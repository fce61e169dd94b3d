"""The API keys page (issue 21 §5): HQ sees every key with store, role, creation, expiry, last use
and state — a rotated key "until expiry" beside its successor, an expired one as expired; others
may not open it (the access table) and do not see it in the menu."""
import datetime as dt

import pytest
from django.urls import reverse

from vipdesk.org.models import ApiClient
from vipdesk.org.services import api_client_create, api_client_rotate
from vipdesk.testing.clock import SHANGHAI

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 6, 17, 10, 30, tzinfo=SHANGHAI)


def test_hq_sees_keys_with_expiry_last_use_and_state(client, hq, store_a, clock):
    clock.move_to(AT, tick=False)
    api_client_create(name="POS A1", store_code=store_a.code)
    api_client_create(name="HQ CRM", expires_at=AT + dt.timedelta(hours=1))
    api_client_rotate(name="POS A1", overlap_hours=24)
    ApiClient.objects.filter(name="POS A1").update(last_used_at=AT)
    clock.shift(dt.timedelta(hours=2))
    client.force_login(hq)
    page = client.get(reverse("console:api_keys")).content.decode()
    old = ApiClient.objects.exclude(replaced_by=None).get()
    new = ApiClient.objects.get(name="POS A1")
    crm = ApiClient.objects.get(name="HQ CRM")
    assert 'id="nav-api-keys"' in page
    row = page.split(f'id="key-{new.key_prefix}"')[1].split("</tr>")[0]
    assert "SA01" in row and "收银" in row and "2026-06-17 10:30" in row and "有效" in row
    row = page.split(f'id="key-{old.key_prefix}"')[1].split("</tr>")[0]
    assert "已由 POS A1 替换" in row and "2026-06-18 10:30" in row and "已轮换，到期前可用" in row and "尚未使用" in row
    row = page.split(f'id="key-{crm.key_prefix}"')[1].split("</tr>")[0]
    assert "总部" in row and "已过期" in row


def test_the_menu_hides_the_page_from_store_roles(client, manager_a):
    client.force_login(manager_a)
    assert 'id="nav-api-keys"' not in client.get(reverse("console:home")).content.decode()
