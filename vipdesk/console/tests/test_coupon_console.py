"""Coupons in the console: campaigns and issuance rules (HQ), bulk issue with a count first, void,
and the 券 pane of the 360° page. Writes go through vipdesk.coupons; refusals show Chinese and change nothing."""
from decimal import Decimal as D

import pytest
from django.urls import reverse

from vipdesk.audit.models import Event
from vipdesk.coupons.campaigns import campaigns_install_default
from vipdesk.coupons.models import Campaign, Coupon, CouponEvent, IssuanceRule
from vipdesk.coupons.services import coupons_issue_bulk, format_code
from vipdesk.members.models import Member
from vipdesk.testing.factories import make_member

pytestmark = pytest.mark.django_db

LIST = "/loyalty/coupons/"
NEW = "/loyalty/coupons/new/"
ISSUE = "/coupons/issue/"
VOID = "/coupons/void/"


@pytest.fixture
def seeded(db):
    return {c.code: c for c in campaigns_install_default()}


def campaign_post(**over):
    data = {"code": "BD100", "name": "生日100元券", "kind": "voucher", "face_value": "100", "goods_scope": "all",
            "valid_days": "30", "per_member_limit": "1", "active": "on", "threshold": "", "discount_zhe": ""}
    data.update(over)
    return data


def test_hq_lists_and_creates_a_campaign(login, hq, seeded):
    client = login(hq)
    page = client.get(LIST).content.decode()
    assert "券活动" in page and 'id="campaign-B60"' in page and "60元礼品券(B券)" in page
    response = client.post(NEW, campaign_post())
    campaign = Campaign.objects.get(code="BD100")
    assert response.status_code == 302 and response["Location"] == reverse("console:coupon_campaign", args=[campaign.pk])
    assert (campaign.kind, str(campaign.face_value), campaign.valid_days, campaign.per_member_limit) == ("voucher", "100.00", 30, 1)
    assert Event.objects.filter(verb="coupon.campaign_create", object_id=str(campaign.pk)).exists()


def test_a_bad_campaign_shows_the_messages_next_to_the_fields_and_saves_nothing(login, hq, seeded):
    client = login(hq)
    page = client.post(NEW, campaign_post(kind="discount", face_value="", discount_zhe="", valid_days="")).content.decode()
    assert 'id="error-discount_zhe"' in page and "折扣券须填写折数" in page
    assert 'id="error-valid_until"' in page
    page = client.post(NEW, campaign_post(code="B60")).content.decode()
    assert 'id="error-code"' in page and "另一个券活动已使用此代码" in page
    assert not Campaign.objects.filter(code="BD100").exists() and Campaign.objects.count() == 2


def test_hq_edits_a_campaign_and_its_rules(login, hq, seeded):
    client = login(hq)
    b60 = seeded["B60"]
    url = reverse("console:coupon_campaign", args=[b60.pk])
    page = client.get(url).content.decode()
    assert 'value="B60"' in page and "当日累计满300元(现金部分)送60元B券" in page
    data = {**campaign_post(code="B60", name="60元礼品券(B券)", kind="gift", face_value="60.00", valid_days="45",
                            per_member_limit="", mall_share_percent="50"), "combines_with": "any", "max_per_order": "10",
            "spend_per_coupon": "300"}
    assert client.post(url, data).status_code == 302
    b60 = Campaign.objects.get(pk=b60.pk)
    assert (b60.valid_days, b60.combines_with, b60.max_per_order, b60.spend_per_coupon) == (45, "any", 10, D("300.00"))
    # a new rule: on registration, one coupon
    assert client.post(url, {"step": "rule", "name": "注册送券", "trigger": "registration", "coupons_per_step": "1",
                             "used_on_return": "charge_back"}).status_code == 302
    assert IssuanceRule.objects.filter(campaign=b60, trigger="registration", active=True).exists()
    # a rule on sales needs its step: refused, nothing created
    page = client.post(url, {"step": "rule", "trigger": "sale", "step_amount": "", "used_on_return": "charge_back"}).content.decode()
    assert 'id="error-step_amount"' in page and IssuanceRule.objects.filter(campaign=b60).count() == 2
    rule = IssuanceRule.objects.get(campaign=b60, trigger="sale")
    assert client.post(reverse("console:coupon_rule_active", args=[rule.pk]), {"active": "0"}).status_code == 302
    assert not IssuanceRule.objects.get(pk=rule.pk).active


@pytest.mark.parametrize("who", ["guide_a", "cashier_a", "manager_a", "auditor"])
def test_only_hq_sets_up_campaigns(login, request, seeded, who):
    client = login(request.getfixturevalue(who))
    rule = IssuanceRule.objects.first()
    assert client.get(LIST).status_code == 403
    assert client.post(NEW, campaign_post()).status_code == 403
    assert client.post(reverse("console:coupon_campaign", args=[seeded["B60"].pk]), campaign_post(code="B60")).status_code == 403
    assert client.post(reverse("console:coupon_rule_active", args=[rule.pk]), {"active": "0"}).status_code == 403
    assert not Campaign.objects.filter(code="BD100").exists() and IssuanceRule.objects.get(pk=rule.pk).active


def test_bulk_issue_counts_first_then_issues_a_batch(login, hq, seeded, store_a, member_a, member_b):
    client = login(hq)
    third = make_member(actor=hq, store=store_a, name="王五", mobile="13812340003")
    pasted = f"{member_a.member_no}\n13812345555，{third.mobile}\nM99999999"
    page = client.post(ISSUE, {"campaign": "A50", "members": pasted, "count": "1", "note": "店庆", "step": "preview"}).content.decode()
    assert 'id="issue-answer"' in page and "将向 3 位会员发放" in page and "M99999999" in page and 'id="issue-submit"' in page
    assert not Coupon.objects.exists()
    response = client.post(ISSUE, {"campaign": "A50", "members": pasted, "count": "1", "note": "店庆", "step": "issue"})
    page = response.content.decode()
    coupons = Coupon.objects.filter(campaign__code="A50")
    assert coupons.count() == 3 and len({c.batch for c in coupons}) == 1
    assert coupons.first().batch in page and "已向 3 位会员发放 3 张券" in page
    assert Event.objects.filter(verb="coupon.bulk_issue").count() == 1


def test_bulk_issue_is_scoped_and_refuses_an_empty_list(login, manager_a, seeded, member_a, member_b):
    client = login(manager_a)  # store A: member_b is of store B
    page = client.post(ISSUE, {"campaign": "A50", "members": f"{member_a.member_no} {member_b.member_no}", "count": "1",
                               "step": "issue"}).content.decode()
    assert Coupon.objects.filter(member=member_a).count() == 1 and not Coupon.objects.filter(member=member_b).exists()
    assert member_b.member_no in page  # listed as not found: outside this manager's members
    page = client.post(ISSUE, {"campaign": "A50", "members": "", "count": "1", "step": "preview"}).content.decode()
    assert 'id="error-members"' in page and "请粘贴会员号或手机号" in page
    assert Coupon.objects.count() == 1


def test_guides_and_cashiers_cannot_issue_or_void(login, guide_a, cashier_a, seeded, member_a):
    coupon = coupons_issue_bulk(actor=None, campaign=seeded["A50"], members=Member.objects.filter(pk=member_a.pk))
    code = Coupon.objects.get().code
    for user in (guide_a, cashier_a):
        client = login(user)
        assert client.get(ISSUE).status_code == 403
        assert client.post(ISSUE, {"campaign": "A50", "members": member_a.member_no, "count": "1", "step": "issue"}).status_code == 403
        assert client.post(VOID, {"code": code, "reason": "x"}).status_code == 403
        assert 'id="nav-coupons"' not in client.get("/").content.decode()
    assert coupon["issued"] == 1 and Coupon.objects.get().status == "issued"


def test_void_with_a_reason_from_the_360_page(login, manager_a, seeded, member_a):
    coupons_issue_bulk(actor=None, campaign=seeded["A50"], members=Member.objects.filter(pk=member_a.pk))
    coupon = Coupon.objects.get()
    client = login(manager_a)
    url = reverse("console:member_detail", args=[member_a.pk])
    page = client.get(url).content.decode()
    assert 'id="pane-coupons"' in page and format_code(coupon.code) in page and 'id="coupons-usable">1' in page
    client.post(VOID, {"code": format_code(coupon.code), "reason": "", "next": url})
    assert Coupon.objects.get().status == "issued"  # a reason is required
    response = client.post(VOID, {"code": format_code(coupon.code), "reason": "顾客投诉补偿重复", "next": url + "#pane-coupons"})
    assert response["Location"] == url + "#pane-coupons"
    assert Coupon.objects.get().status == "void"
    assert CouponEvent.objects.get(coupon=coupon, kind="void").note == "顾客投诉补偿重复"
    page = client.get(url).content.decode()
    assert 'id="coupons-usable">0' in page and 'id="coupons-all-link"' in page
    history = client.get(url + "?all=1").content.decode()
    assert 'data-status="void"' in history and "已作废" in history


def test_void_of_another_stores_coupon_is_as_if_it_did_not_exist(login, manager_a, seeded, member_b):
    coupons_issue_bulk(actor=None, campaign=seeded["A50"], members=Member.objects.filter(pk=member_b.pk))
    coupon = Coupon.objects.get()
    page = login(manager_a).post(VOID, {"code": coupon.code, "reason": "x"}, follow=True).content.decode()
    assert "没有券码为" in page and Coupon.objects.get().status == "issued"


def test_issue_to_a_saved_segment_through_the_hook(login, hq, seeded, member_a, member_b):
    from vipdesk.analytics.segments import segment_create

    segment = segment_create(actor=hq, data={"name": "A店会员", "definition": {"stores": ["SA01"]}})
    client = login(hq)
    page = client.get(ISSUE).content.decode()
    assert 'id="id_segment"' in page and "A店会员" in page
    page = client.post(ISSUE, {"campaign": "A50", "segment": str(segment.pk), "members": "", "count": "1",
                               "step": "preview"}).content.decode()
    assert "将向 1 位会员发放" in page and not Coupon.objects.exists()
    client.post(ISSUE, {"campaign": "A50", "segment": str(segment.pk), "members": "", "count": "1", "step": "issue"})
    assert list(Coupon.objects.values_list("member_id", flat=True)) == [member_a.pk]
