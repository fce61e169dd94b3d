"""The home page of each role (issue 15 §5): the store's day for store staff, the stores side by
side for HQ and auditors; every figure says what it counts; the approvals link for those who approve."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from vipdesk.care.models import CareTask
from vipdesk.core import clock
from vipdesk.members.cards import card_apply
from vipdesk.testing.factories import make_member

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def day(hq, store_a, store_b, guide_a):
    on = clock.today()
    a = make_member(actor=hq, store=store_a, owner=guide_a, birthday=on.replace(year=1988))  # a leap year: the clock may stand on 29 February
    make_member(actor=hq, store=store_b)
    CareTask.objects.create(member=a, store=store_a, owner=guide_a, kind="call", channel="phone", due_on=on,
                            due_at=timezone.now(), source_key="home-page-1")
    CareTask.objects.create(member=a, store=store_a, owner=guide_a, kind="call", channel="phone",
                            due_on=on - dt.timedelta(days=1), due_at=timezone.now(), source_key="home-page-2")
    card_apply(actor=hq, member=a)
    return a


def home(client) -> str:
    response = client.get(reverse("console:home"), **ZH)
    assert response.status_code == 200
    return response.content.decode()


def test_a_store_manager_sees_his_stores_day_with_what_each_figure_counts(login, manager_a, day):
    page = home(login(manager_a))
    assert "今日 A店" in page
    for figure, words in (("fig-member-sales", "计入会员的销售单金额，不扣退货"), ("fig-member-share", "会员销售额 ÷ 当日全部销售额"),
                          ("fig-new-members", "今日入会"), ("fig-care", "您所辖门店未完成的任务"), ("fig-birthdays", "过生日的在册会员"),
                          ("fig-complaints", "待处理或处理中"), ("fig-pending-cards", "已发出、尚未审批的卡")):
        assert f'id="{figure}"' in page and words in page
    assert "另有 1 项逾期" in page
    assert 'id="stores-today"' not in page  # one store: no side-by-side table
    assert "您范围内的在册会员" in page and "不含已退会会员" in page  # says what the member count counts (issue 15 §12)


def test_hq_sees_the_stores_side_by_side_with_totals(login, hq, day):
    page = home(login(hq))
    assert "今日各门店" in page and 'id="stores-today"' in page and 'id="stores-total"' in page
    assert "A店" in page and "B店" in page


def test_the_auditor_sees_the_figures_without_care_work(login, auditor, day):
    page = home(login(auditor))
    assert 'id="stores-today"' in page and 'id="fig-care"' not in page


def test_a_guide_sees_his_own_book(login, guide_a, day):
    page = home(login(guide_a))
    assert "您名下（含搭班同事）未完成的任务" in page and "您名下的会员" in page


def test_the_approvals_link_once_the_page_exists_for_those_who_approve(login, manager_a, cashier_a, day):
    page = home(login(manager_a))
    assert 'id="approvals-link"' in page and 'href="/approvals/"' in page and 'id="nav-approvals"' in page
    page = home(login(cashier_a))
    assert 'id="fig-pending-cards"' in page and 'id="approvals-link"' not in page and 'id="nav-approvals"' not in page
