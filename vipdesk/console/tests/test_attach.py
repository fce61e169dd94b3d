"""补登 in the console (issue 15 §1): find an anonymous sale, identify the member, see what she gets,
confirm; refusals beside the field, in Chinese. The same service as POST /api/v1/sales/attach/."""
import datetime as dt

import pytest
from django.utils import timezone

from vipdesk.members.cards import card_issue
from vipdesk.points.models import PointsAccount
from vipdesk.points.services import earn_rule_install_default
from vipdesk.sales.models import Sale
from vipdesk.till.services import return_post, sale_post
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.presets import DEPARTMENT_STORE

pytestmark = pytest.mark.django_db

URL = "/pos/attach/"
COAT = {"sku": "COAT-7", "name": "羊绒大衣", "brand": "示例", "category": "女装", "unit_price": "800.00", "quantity": 1, "amount": "800.00"}


@pytest.fixture(autouse=True)
def programme(db):
    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)


def anonymous(receipt="A1", *, store="SA01", days_ago=0, actor=None):
    at = timezone.now() - dt.timedelta(days=days_ago, minutes=5)
    return sale_post(actor=actor, data={"store": store, "receipt_no": receipt, "occurred_at": at.isoformat(), "lines": [COAT],
                                        "payments": [{"method": "cash", "amount": "800.00"}], "amount_paid": "800.00"}).sale


def balance(member) -> int:
    return PointsAccount.objects.filter(member=member).values_list("balance", flat=True).first() or 0


def field_error(response, name) -> str:
    form = response.context["form"]
    return " ".join(str(e) for e in form.errors.get(name, []))


def test_find_preview_confirm_and_result(login, cashier_a, member_a):
    sale = anonymous("A1", days_ago=2)
    client = login(cashier_a)
    page = client.get(URL, {"store": "SA01", "receipt_no": "A1"})
    assert page.status_code == 200 and page.context["sale"] == sale
    text = page.content.decode()
    assert "补登" in text and "A1" in text and "¥800.00" in text

    data = {"store": "SA01", "receipt_no": "A1", "member_by": "mobile", "member_value": "13812348000"}
    preview = client.post(URL, {**data, "step": "check"})
    assert preview.status_code == 200
    shown = preview.context["preview"]
    assert shown["points"]["earned"] == 800 and shown["member"]["member_no"] == member_a.member_no
    body = preview.content.decode()
    assert 'id="attach-preview"' in body and "+800" in body and 'id="attach-submit"' in body
    # the preview changed nothing
    sale.refresh_from_db()
    assert sale.member_id is None and balance(member_a) == 0

    done = client.post(URL, {**data, "step": "confirm"}, follow=True)
    sale.refresh_from_db()
    assert sale.member_id == member_a.pk and sale.identified_by == "attached"
    assert balance(member_a) == 800
    result = done.content.decode()
    assert "已补登到会员名下" in result and done.context["result"]["points"]["earned"] == 800
    assert 'id="attach-another"' in result


def test_refusals_are_beside_the_field_in_chinese(login, cashier_a, member_a, hq, store_b):
    client = login(cashier_a)
    missing = client.get(URL, {"store": "SA01", "receipt_no": "NOPE"})
    assert "本店没有此小票号的销售单" in field_error(missing, "receipt_no")

    anonymous("OLD", days_ago=8)
    late = client.get(URL, {"store": "SA01", "receipt_no": "OLD"})
    assert "7 天内" in field_error(late, "receipt_no")

    anonymous("DONE")
    data = {"store": "SA01", "receipt_no": "DONE", "member_by": "mobile", "member_value": "13812348000", "step": "confirm"}
    client.post(URL, data)
    again = client.post(URL, data)
    assert "已计入会员名下" in field_error(again, "receipt_no")

    anonymous("RET")
    return_post(actor=hq, data={"store": "SA01", "receipt_no": "RET-R", "occurred_at": timezone.now().isoformat(),
                                "original": {"receipt_no": "RET"}})
    returned = client.get(URL, {"store": "SA01", "receipt_no": "RET"})
    assert "已有退货" in field_error(returned, "receipt_no")

    anonymous("B1", store="SB01", actor=hq)
    other = client.get(URL, {"store": "SB01", "receipt_no": "B1"})
    assert field_error(other, "store")

    anonymous("A2")
    stranger = client.post(URL, {"store": "SA01", "receipt_no": "A2", "member_by": "mobile", "member_value": "13900000000",
                                 "step": "check"})
    assert field_error(stranger, "member_value") and "pos-error" in stranger.content.decode()
    assert Sale.objects.get(receipt_no="A2").member_id is None


def test_a_day_lists_its_anonymous_sales(login, cashier_a, member_a):
    anonymous("D1", days_ago=1)
    anonymous("D2", days_ago=1)
    page = login(cashier_a).get(URL, {"store": "SA01", "date": (timezone.localdate() - dt.timedelta(days=1)).isoformat()})
    assert {s.receipt_no for s in page.context["candidates"]} == {"D1", "D2"}


def test_the_tills_result_screen_links_to_the_attach_page(login, cashier_a):
    sale = anonymous("R9")
    page = login(cashier_a).get(f"/pos/sale/?posted={sale.pk}").content.decode()
    assert 'id="result-attach"' in page and "/pos/attach/?store=SA01&amp;receipt_no=R9" in page
    detail = login(cashier_a).get(f"/sales/{sale.pk}/").content.decode()
    assert 'id="sale-attach"' in detail


def test_a_pending_card_is_refused_as_awaiting_approval(login, cashier_a, guide_a, member_a):
    card = card_issue(actor=guide_a, member=member_a)
    anonymous("P1")
    page = login(cashier_a).post(URL, {"store": "SA01", "receipt_no": "P1", "member_by": "card", "member_value": card.number,
                                       "step": "check"})
    assert "此卡尚待审批，暂不能使用" in field_error(page, "member_value")
    card.refresh_from_db()
    assert not card.flagged_for_confiscation
