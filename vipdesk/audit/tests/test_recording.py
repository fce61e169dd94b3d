"""What the audit trail records: sign-ins, failed sign-ins, lockouts and sign-outs (with the IP and
browser, never a password), staff role and scope changes with before and after (service, command,
admin), API keys created and revoked (service and command)."""
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Role
from vipdesk.audit.models import Event, SignIn
from vipdesk.core.errors import PermissionDenied, ValidationFailed
from vipdesk.org.models import ApiClient
from vipdesk.org.services import api_client_create, api_client_revoke
from vipdesk.org.staffing import staff_access_set
from vipdesk.testing.factories import StoreFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Vipdesk#2026"  # StaffFactory's
BROWSER = "Mozilla/5.0 (counter tablet 3)"


def _sign_in(client, username, password):
    return client.post(reverse("console:login"), {"username": username, "password": password},
                       HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="10.1.2.3")


def test_a_sign_in_is_recorded_with_address_and_browser(client, guide_a):
    assert _sign_in(client, "guide_a", PASSWORD).status_code == 302
    row = SignIn.objects.get()
    assert (row.outcome, row.username, row.staff, row.ip_address, row.user_agent) == (
        SignIn.Outcome.SIGNED_IN, "guide_a", guide_a, "10.1.2.3", BROWSER)


def test_a_wrong_password_is_recorded_without_the_password(client, guide_a):
    _sign_in(client, "guide_a", "wrong-horse-battery")
    _sign_in(client, "nobody_here", "another-secret")
    failed = list(SignIn.objects.order_by("id"))
    assert [(r.outcome, r.username, r.staff) for r in failed] == [
        (SignIn.Outcome.FAILED, "guide_a", guide_a), (SignIn.Outcome.FAILED, "nobody_here", None)]
    stored = " ".join(str(v) for r in SignIn.objects.values() for v in r.values())
    assert "wrong-horse-battery" not in stored and "another-secret" not in stored


def test_the_failure_that_reaches_the_limit_is_a_lockout_and_so_is_each_try_while_locked(client, guide_a):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit):
        _sign_in(client, "guide_a", "wrong-password")
    _sign_in(client, "guide_a", PASSWORD)  # the right password while locked: refused, recorded
    outcomes = list(SignIn.objects.order_by("id").values_list("outcome", flat=True))
    assert outcomes == [SignIn.Outcome.FAILED] * (limit - 1) + [SignIn.Outcome.LOCKED_OUT] * 2
    assert SignIn.objects.filter(outcome=SignIn.Outcome.LOCKED_OUT, staff=guide_a, ip_address="10.1.2.3").count() == 2
    assert not SignIn.objects.filter(outcome=SignIn.Outcome.SIGNED_IN).exists()


def test_a_sign_out_is_recorded(client, guide_a):
    client.force_login(guide_a)
    client.post(reverse("console:logout"), REMOTE_ADDR="10.1.2.4")
    assert SignIn.objects.filter(outcome=SignIn.Outcome.SIGNED_OUT, staff=guide_a, ip_address="10.1.2.4").exists()


def test_a_role_and_store_change_records_before_and_after(hq, guide_a, store_a, store_b):
    change = staff_access_set(actor=hq, staff=guide_a, role=Role.STORE_MANAGER, stores=[store_a, store_b])
    assert change == {"before": {"role": "guide", "stores": ["SA01"]},
                      "after": {"role": "store_manager", "stores": ["SA01", "SB01"]}}
    guide_a.refresh_from_db()
    assert guide_a.role == Role.STORE_MANAGER and sorted(guide_a.stores.values_list("code", flat=True)) == ["SA01", "SB01"]
    event = Event.objects.get(verb="staff.access_changed")
    assert (event.actor, event.object_type, event.object_id) == (hq, "staff", str(guide_a.pk))
    assert event.payload["before"] == change["before"] and event.payload["after"] == change["after"]


def test_nothing_changed_records_nothing_and_a_bad_role_changes_nothing(hq, guide_a, store_a):
    assert staff_access_set(actor=hq, staff=guide_a, role=Role.GUIDE, stores=[store_a]) == {"before": {}, "after": {}}
    with pytest.raises(ValidationFailed):
        staff_access_set(actor=hq, staff=guide_a, role="emperor", is_active=False)
    guide_a.refresh_from_db()
    assert guide_a.is_active and not Event.objects.exists()


def test_only_someone_allowed_to_change_staff_may(guide_a, manager_a):
    with pytest.raises(PermissionDenied):
        staff_access_set(actor=manager_a, staff=guide_a, role=Role.STORE_MANAGER)
    assert not Event.objects.exists()


def test_the_staff_command_deactivates_and_moves_through_the_service(guide_a, store_b):
    out = StringIO()
    call_command("staff", "set", "guide_a", "--inactive", "--stores", "SB01", stdout=out)
    assert "is_active True → False" in out.getvalue()
    event = Event.objects.get(verb="staff.access_changed")
    assert event.actor is None
    assert event.payload["before"] == {"stores": ["SA01"], "is_active": True}
    assert event.payload["after"] == {"stores": ["SB01"], "is_active": False}
    with pytest.raises(CommandError, match="XX99"):
        call_command("staff", "set", "guide_a", "--stores", "XX99")


def test_the_admin_staff_page_saves_role_and_stores_through_the_service(client, guide_a, store_a, store_b):
    admin_user = Staff.objects.create_superuser("root", "root@example.com", PASSWORD, role=Role.HQ_ADMIN)
    client.force_login(admin_user)
    url = reverse("admin:accounts_staff_change", args=[guide_a.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("password", "groups", "user_permissions", "stores",
                                                                                "last_login", "date_joined")}
    data.update({"role": Role.CASHIER, "stores": [store_b.pk], "is_active": "on",
                 "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get(verb="staff.access_changed")
    assert event.actor == admin_user
    assert event.payload["before"] == {"role": "guide", "stores": ["SA01"]}
    assert event.payload["after"] == {"role": "cashier", "stores": ["SB01"]}


def test_keys_created_and_revoked_by_service_and_command(hq, store_a):
    client, _key = api_client_create(actor=hq, name="POS SA01-1", store_code=store_a.code)
    api_client_revoke(actor=hq, client=client)
    client.refresh_from_db()
    assert not client.active
    with pytest.raises(ValidationFailed):
        api_client_revoke(actor=hq, client=client)
    out = StringIO()
    call_command("apikey", "create", "--name", "POS SA01-2", "--store", store_a.code, stdout=out)
    call_command("apikey", "revoke", "--name", "POS SA01-2", stdout=out)
    assert "revoked" in out.getvalue() and not ApiClient.objects.get(name="POS SA01-2").active
    verbs = list(Event.objects.order_by("id").values_list("verb", "actor", "payload__store"))
    assert verbs == [("api_client.created", hq.pk, "SA01"), ("api_client.revoked", hq.pk, "SA01"),
                     ("api_client.created", None, "SA01"), ("api_client.revoked", None, "SA01")]


def test_the_admin_creation_form_records_the_new_staff_member(client, store_a):
    admin_user = Staff.objects.create_superuser("root", "root@example.com", PASSWORD, role=Role.HQ_ADMIN)
    client.force_login(admin_user)
    response = client.post(reverse("admin:accounts_staff_add"), {
        "username": "new_guide", "password1": "Vipdesk#2026x", "password2": "Vipdesk#2026x", "usable_password": "true",
        "role": Role.GUIDE, "display_name": "新导购", "stores": [store_a.pk]})
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get(verb="staff.created")
    assert event.actor == admin_user and event.payload["before"] == {}
    assert event.payload["after"] == {"role": "guide", "stores": ["SA01"], "is_active": True, "is_superuser": False}
    assert list(Staff.objects.get(username="new_guide").stores.values_list("code", flat=True)) == ["SA01"]
