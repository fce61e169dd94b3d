"""The main menu (issue 15 §6): groups by what people do, data in vipdesk/console/navigation.py,
role-aware the way the access table says, the current page marked, absent pages skipped."""
import re

import pytest
from django.urls import NoReverseMatch, reverse

from vipdesk.accounts.roles import Role
from vipdesk.console.navigation import GROUPS, HQ_ONLY, Entry, menu_for
from vipdesk.testing.access import ACCESS
from vipdesk.testing.factories import StaffFactory

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
# access.py's principal name of each staff role
PRINCIPAL = {Role.HQ_ADMIN: "hq", Role.AUDITOR: "auditor", Role.STORE_MANAGER: "manager", Role.GUIDE: "guide",
             Role.ACCOUNT_MANAGER: "account_manager", Role.CASHIER: "cashier"}


def nav(client, url="/") -> str:
    html = client.get(url, **ZH).content.decode()
    return html[html.index('<nav class="mainnav"'):html.index("</nav>", html.index('<nav class="mainnav"'))]


def test_every_entry_is_shown_exactly_to_the_roles_the_access_table_lets_in(store_a):
    """The menu never offers a page the role would get a 403 on, nor hides one it may open."""
    gets = {}
    for row in ACCESS:
        if row.method == "GET" and row.name.startswith("console:"):
            gets.setdefault(row.name, row.allow)
    for role, principal in PRINCIPAL.items():
        user = StaffFactory(username=f"nav_{principal}", role=role, stores=[store_a] if role in Role.STORE_ROLES else [])
        shown = {e["id"] for g in menu_for(user) for e in g["entries"]}
        for group in GROUPS:
            for entry in group.entries:
                if entry.url_name not in gets:
                    assert entry.capability == HQ_ONLY, entry
                    continue
                assert (entry.id in shown) == (principal in gets[entry.url_name]), (role, entry.id)


def test_hq_gets_six_groups_in_the_order_people_work(login, hq):
    html = nav(login(hq))
    labels = re.findall(r"<summary[^>]*>([^<]+)</summary>", html)
    assert labels == ["会员", "收银台", "营销与卡券", "客户关怀", "分析报表", "设置"]
    assert html.count("<a ") == 1 + sum(len([e for e in g.entries if _reverses(e)]) for g in GROUPS)


def _reverses(entry: Entry) -> bool:
    try:
        reverse(entry.url_name, kwargs=dict(entry.kwargs))
        return True
    except NoReverseMatch:
        return False


def test_a_cashier_sees_only_what_he_may_use(login, cashier_a):
    html = nav(login(cashier_a))
    labels = re.findall(r"<summary[^>]*>([^<]+)</summary>", html)
    assert labels == ["会员", "收银台", "客户关怀"]
    assert 'id="nav-pos-topup"' in html and 'id="nav-pos-refund"' not in html and 'id="nav-loyalty"' not in html


def test_the_current_page_and_its_group_are_marked(login, hq):
    html = nav(login(hq), reverse("console:care_rules"))
    assert re.search(r'<li class="nav-group current">\s*<details class="dropdown" id="nav-group-care">\s*<summary aria-current="true">', html)
    assert re.search(r'id="nav-care-rules" href="/care/rules/" aria-current="page"', html)
    assert html.count('aria-current="page"') == 1
    html = nav(login(hq), reverse("console:loyalty_earn_rules"))
    assert re.search(r'id="nav-loyalty" href="[^"]+" aria-current="page"', html)


def test_a_page_not_yet_built_is_left_out():
    assert not _reverses(Entry("nav-x", "x", "console:no_such_page", "view"))
    entries = [e for g in GROUPS for e in g.entries]
    assert len({e.id for e in entries}) == len(entries)  # ids are unique


def test_the_back_office_link_is_hq_only(login, hq, manager_a):
    assert 'id="nav-admin"' in nav(login(hq)) and 'id="nav-admin"' not in nav(login(manager_a))
