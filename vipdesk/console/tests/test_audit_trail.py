"""The audit trail page (审计日志): every kind of row, the filters, paging, the XLSX of the filtered
rows (itself recorded as an export), and who may see it."""
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from vipdesk.accounts.roles import Role
from vipdesk.audit.models import Event, PiiAccess, SignIn
from vipdesk.audit.services import event_record, pii_access_record
from vipdesk.org.services import api_client_create, api_client_revoke
from vipdesk.org.staffing import staff_access_set

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(client, hq, guide_a, guide_b, store_b, member_a):
    """One row of every kind: guide_a signs in, fails, a stranger fails, guide_b is locked out,
    guide_a becomes a store manager, a key of store A is made and revoked, 2FA is switched on
    (another helper's verb), hq reveals member_a."""
    login = reverse("console:login")
    client.post(login, {"username": "guide_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    client.post(reverse("console:logout"))
    client.post(login, {"username": "guide_a", "password": "nope-nope"}, REMOTE_ADDR="10.0.0.2")
    client.post(login, {"username": "ghost", "password": "nope-nope"}, REMOTE_ADDR="10.0.0.3")
    SignIn.objects.create(outcome=SignIn.Outcome.LOCKED_OUT, username="guide_b", staff=guide_b, ip_address="10.0.0.4")
    staff_access_set(actor=hq, staff=guide_a, role=Role.STORE_MANAGER)
    key, _ = api_client_create(actor=hq, name="POS SA01", store_code="SA01")
    api_client_revoke(actor=hq, client=key)
    event_record(actor=guide_a, verb="auth.2fa_enabled", obj=guide_a, payload={})
    event_record(actor=hq, verb="member.updated", obj=member_a, payload={})  # a business event: not on this page
    pii_access_record(actor=hq, kind=PiiAccess.Kind.REVEAL, member=member_a, fields=["mobile"], reason="客户来电核对")
    client.logout()
    return client


def _page(client, **params):
    return client.get(reverse("console:audit_trail"), params)


def test_the_auditor_sees_every_kind_newest_first(trail, auditor):
    trail.force_login(auditor)
    response = _page(trail)
    assert response.status_code == 200
    rows = response.context["rows"]
    kinds = [r.kind for r in rows]
    # the auditor's own sign-in (force_login signs in too) is the newest row
    assert kinds == ["sign_ins", "pii", "security", "keys", "keys", "staff", "lockouts", "failed", "failed", "sign_ins", "sign_ins"]
    assert rows[0].who.endswith("(auditor)")
    page = response.content.decode()
    assert "审计日志" in page and "客户来电核对" in page and "10.0.0.1" in page
    assert "角色: 导购 → 店长" in page  # before → after, Chinese role labels
    assert "member.updated" not in page
    assert "ghost" in page and "nope-nope" not in page


@pytest.mark.parametrize("params, expected", [
    ({"kind": "sign_ins"}, ["sign_ins", "sign_ins", "sign_ins"]),  # the auditor's, guide_a's out and in
    ({"kind": "failed"}, ["failed", "failed"]),
    ({"kind": "lockouts"}, ["lockouts"]),
    ({"kind": "staff"}, ["staff"]),
    ({"kind": "keys"}, ["keys", "keys"]),
    ({"kind": "security"}, ["security"]),
    ({"kind": "pii"}, ["pii"]),
    ({"staff": "guide_a"}, ["security", "staff", "failed", "sign_ins", "sign_ins"]),
    ({"staff": "GHOST"}, ["failed"]),
    ({"store": "SB01"}, ["lockouts"]),
    ({"store": "SA01", "kind": "keys"}, ["keys", "keys"]),
    ({"store": "SA01", "kind": "pii"}, ["pii"]),  # the member's home store
])
def test_filters(trail, auditor, params, expected):
    trail.force_login(auditor)
    assert [r.kind for r in _page(trail, **params).context["rows"]] == expected


def test_date_range(trail, hq, clock):
    trail.force_login(hq)
    today = dt.date.today()
    assert len(_page(trail, start=today.isoformat(), end=today.isoformat()).context["rows"]) == 11
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert _page(trail, start=tomorrow).context["rows"] == []
    bad = _page(trail, start=tomorrow, end=today.isoformat())
    assert "end" in bad.context["filters"].errors and 'role="alert"' in bad.content.decode()


def test_paging(client, auditor, guide_a):
    SignIn.objects.bulk_create([SignIn(outcome=SignIn.Outcome.FAILED, username=f"u{i}") for i in range(60)])
    client.force_login(auditor)
    first = _page(client, kind="failed")
    assert len(first.context["rows"]) == 50 and first.context["paginator"].count == 60
    assert len(_page(client, kind="failed", page=2).context["rows"]) == 10
    assert "kind=failed&amp;page=2" in first.content.decode()


def test_the_export_has_the_filtered_rows_and_is_itself_recorded(trail, auditor):
    trail.force_login(auditor)
    response = trail.get(reverse("console:audit_trail_export"), {"staff": "guide_a"})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("时间", "类型", "员工", "事件", "详情", "IP 地址")
    assert [r[1] for r in rows[1:]] == ["账户安全（双重验证、全部设备退出）", "角色与权限范围变更", "登录失败", "登录与退出", "登录与退出"]
    assert isinstance(rows[-1][0], dt.datetime) and rows[-1][5] == "10.0.0.1"
    export = PiiAccess.objects.get(kind=PiiAccess.Kind.EXPORT_MASKED)
    assert export.actor == auditor and export.row_count == 5 and "staff=guide_a" in export.reason
    assert [r.kind for r in _page(trail, kind="pii").context["rows"]] == ["pii", "pii"]


def test_a_formula_typed_as_a_user_name_stays_text(client, auditor):
    SignIn.objects.create(outcome=SignIn.Outcome.FAILED, username='=HYPERLINK("http://x")')
    client.force_login(auditor)
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(reverse("console:audit_trail_export")).content)).active
    assert sheet["C3"].data_type == "s" and sheet["C3"].value.startswith("=HYPERLINK")


@pytest.mark.parametrize("who", ["manager_a", "guide_a", "cashier_a", "account_manager_a"])
def test_only_auditors_and_hq_may_see_it(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert _page(client).status_code == 403
    assert client.get(reverse("console:audit_trail_export")).status_code == 403
    assert not PiiAccess.objects.exists()


def test_the_menu_shows_it_to_the_auditor_only(client, auditor, manager_a):
    client.force_login(auditor)
    assert 'id="nav-audit"' in client.get(reverse("console:home")).content.decode()
    client.force_login(manager_a)
    assert 'id="nav-audit"' not in client.get(reverse("console:home")).content.decode()
    assert Event.objects.count() == 0


def test_two_factor_and_sign_out_everywhere_events_show_as_account_security(client, auditor, hq, guide_a):
    """The verbs the 2FA and session services write (two_factor.*, auth.*) are on the page, labelled."""
    from vipdesk.accounts.sessions import staff_sign_out_everywhere

    event_record(actor=hq, verb="two_factor.enrolled", obj=hq, payload={"recovery_codes": 10})
    event_record(actor=hq, verb="two_factor.failed", obj=hq, payload={"method": "totp", "reason": "wrong"})
    staff_sign_out_everywhere(actor=guide_a)
    client.force_login(auditor)
    response = _page(client, kind="security")
    page = response.content.decode()
    assert "已设置两步验证" in page and "两步验证码错误" in page and "在所有设备上退出登录" in page
    assert [r.kind for r in response.context["rows"]] == ["security"] * 3


def test_the_page_names_no_code_to_its_reader(client, auditor):
    client.force_login(auditor)
    page = _page(client).content.decode()
    assert "此处显示" in page
    for code in ("staff.", "auth.", "two_factor.", "api_client."):
        assert code not in page
