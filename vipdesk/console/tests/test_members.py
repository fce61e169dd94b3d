"""Member search, the 360° page with masking and reveal, create/edit, consents and withdrawal."""
import pytest
from django.urls import reverse
from django.utils import translation

from vipdesk.audit.models import PiiAccess
from vipdesk.members.choices import MemberStatus
from vipdesk.members.models import Consent, Member
from vipdesk.testing.factories import make_member

pytestmark = pytest.mark.django_db


def test_home_dashboard_counts_only_the_viewers_scope(login, guide_a, member_a, member_b, store_a):
    make_member(actor=guide_a, name="王芳")
    response = login(guide_a).get(reverse("console:home"))
    assert response.context["member_count"] == 2
    assert [row["home_store__code"] for row in response.context["by_store"]] == ["SA01"]
    assert "B店" not in response.content.decode()


def test_hq_dashboard_shows_every_store(login, hq, member_a, member_b):
    response = login(hq).get(reverse("console:home"))
    assert response.context["member_count"] == 2
    assert {row["home_store__code"] for row in response.context["by_store"]} == {"SA01", "SB01"}


def test_search_by_last_four_digits_shows_masked_row(login, guide_a, member_a):
    page = login(guide_a).get(reverse("console:member_list"), {"q": "8000"}).content.decode()
    assert member_a.member_no in page
    assert "138****8000" in page and "张*明" in page
    assert "13812348000" not in page and "张小明" not in page


def test_search_never_finds_another_stores_member(login, guide_a, member_b):
    response = login(guide_a).get(reverse("console:member_list"), {"q": "5555"})
    assert list(response.context["members"]) == []
    assert member_b.member_no not in response.content.decode()


def test_empty_search_lists_recent_members_in_scope(login, guide_a, member_a, member_b):
    response = login(guide_a).get(reverse("console:member_list"))
    assert list(response.context["members"]) == [member_a]


def test_hq_sees_full_data_in_the_list(login, hq, member_a):
    page = login(hq).get(reverse("console:member_list"), {"q": "13812348000"}).content.decode()
    assert "13812348000" in page and "张小明" in page


def test_360_page_is_masked_for_a_guide(login, guide_a, member_a):
    response = login(guide_a).get(reverse("console:member_detail", args=[member_a.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<span class="mono" id="member-mobile">138****8000</span>' in page
    assert "13812348000" not in page and "xm@example.com" not in page and "1990-03-07" not in page
    assert 'id="reveal-button"' in page
    for pane in ("pane-tier", "pane-points", "pane-purchases", "pane-care"):
        assert f'id="{pane}"' in page
    assert "即将上线" not in page  # the care pane is there now (issue 6)


def test_360_page_is_full_for_hq_without_reveal(login, hq, member_a):
    page = login(hq).get(reverse("console:member_detail", args=[member_a.pk])).content.decode()
    assert '<span class="mono" id="member-mobile">13812348000</span>' in page
    assert 'id="reveal-button"' not in page


def test_manager_of_store_a_gets_404_on_store_b_withdrawal(login, manager_a, member_b):
    client = login(manager_a)
    url = reverse("console:member_withdraw", args=[member_b.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x", "confirm": "on"}).status_code == 404
    member_b.refresh_from_db()
    assert member_b.status == MemberStatus.ACTIVE


def test_guide_of_store_a_gets_404_for_store_b_posts(login, guide_a, hq, member_b):
    from vipdesk.members.cards import card_issue

    card = card_issue(actor=hq, member=member_b)
    client = login(guide_a)
    urls = [
        reverse("console:member_reveal", args=[member_b.pk]),
        reverse("console:consent_set", args=[member_b.pk]),
        reverse("console:card_issue", args=[member_b.pk]),
        reverse("console:card_migrate", args=[member_b.pk]),
        reverse("console:card_move", args=[member_b.pk, card.pk, "freeze"]),
        reverse("console:card_replace", args=[member_b.pk, card.pk]),
        reverse("console:card_supplementary", args=[member_b.pk, card.pk]),
        reverse("console:member_edit", args=[member_b.pk]),
    ]
    for url in urls:
        assert client.post(url, {"reason": "查账", "media": "barcode", "purpose": "marketing", "channel": "sms",
                                 "granted": "1", "name": "x"}).status_code == 404, url
    card.refresh_from_db()
    assert card.status == "active" and member_b.cards.count() == 1
    assert not PiiAccess.objects.filter(member=member_b).exists()


def test_card_of_another_member_is_404_under_my_members_url(login, manager_a, hq, member_a, member_b):
    from vipdesk.members.cards import card_issue

    foreign = card_issue(actor=hq, member=member_b)
    response = login(manager_a).post(reverse("console:card_move", args=[member_a.pk, foreign.pk, "freeze"]))
    assert response.status_code == 404


def test_reveal_shows_full_data_once_and_records_the_access(login, guide_a, member_a):
    client = login(guide_a)
    response = client.post(reverse("console:member_reveal", args=[member_a.pk]), {"reason": "顾客来电核对手机号"})
    page = response.content.decode()
    assert response.status_code == 200
    assert '<dd class="mono" id="revealed-mobile">13812348000</dd>' in page
    access = PiiAccess.objects.get(member=member_a)
    assert access.actor == guide_a and access.kind == PiiAccess.Kind.REVEAL and access.reason == "顾客来电核对手机号"
    # The next ordinary page view is masked again.
    assert "13812348000" not in client.get(reverse("console:member_detail", args=[member_a.pk])).content.decode()


def test_reveal_without_reason_is_refused_and_not_recorded(login, guide_a, member_a):
    page = login(guide_a).post(reverse("console:member_reveal", args=[member_a.pk]), {"reason": ""}).content.decode()
    assert "13812348000" not in page
    assert "请" in page and 'id="revealed-mobile"' not in page
    assert not PiiAccess.objects.exists()


def test_cashier_may_not_reveal(login, cashier_a, member_a):
    client = login(cashier_a)
    assert 'id="reveal-button"' not in client.get(reverse("console:member_detail", args=[member_a.pk])).content.decode()
    assert client.post(reverse("console:member_reveal", args=[member_a.pk]), {"reason": "想看"}).status_code == 403
    assert not PiiAccess.objects.exists()


def _form_data(**overrides):
    data = {"name": "陈静", "gender": "F", "mobile": "13912345678", "birthday": "1988-05-20", "lunar_birth_month": "4",
            "lunar_birth_day": "6", "ethnicity": "汉族", "email": "cj@example.com", "clothing_size": "M", "shoe_size": "37",
            "occupation": "教师", "hobbies": "瑜伽", "preferred_contact": "sms", "promo_receptiveness": "high",
            "spouse_name": "周强", "spouse_birthday": "1986-01-02", "child1_name": "周小宝", "child1_birthday": "2015-06-01",
            "source_channel": "walk_in", "tags": "高端, 瑜伽", "notes": "喜欢真丝", "consent_service_sms": "on",
            "consent_marketing_sms": "on"}
    data.update(overrides)
    return data


def test_create_member_with_bad_mobile_shows_chinese_error_and_saves_nothing(login, guide_a, store_a):
    with translation.override("zh-hans"):
        expected = translation.gettext("Mobile number must be 11 digits starting with 1 (Chinese mainland).")
    assert expected != "Mobile number must be 11 digits starting with 1 (Chinese mainland)."
    response = login(guide_a).post(reverse("console:member_create"), _form_data(mobile="2345678"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = response.content.decode()
    assert response.status_code == 200
    assert expected in page and 'id="error-mobile"' in page
    assert "未保存" in page
    assert Member.objects.count() == 0 and Consent.objects.count() == 0


def test_create_member_files_everything_into_the_guides_store(login, guide_a, store_a, store_b):
    response = login(guide_a).post(reverse("console:member_create"), _form_data())
    member = Member.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("console:member_detail", args=[member.pk])
    assert member.home_store == store_a and member.owner == guide_a and member.lunar_birth_month == 4
    assert member.family["spouse"]["name"] == "周强" and member.family["children"][0]["birthday"] == "2015-06-01"
    assert sorted(t.name for t in member.tags.all()) == ["瑜伽", "高端"]
    granted = {(c.purpose, c.channel) for c in Consent.objects.filter(granted=True)}
    assert granted == {("service", "sms"), ("marketing", "sms")}
    # the boxes left empty are recorded as refusals: marketing and service on the other channels, and
    # recognition at the door (issue 19 §1, opt-in) on its three
    assert Consent.objects.filter(granted=False).count() == 7


def test_create_form_offers_only_the_guides_stores(login, guide_a, store_a, store_b):
    form = login(guide_a).get(reverse("console:member_create")).context["form"]
    assert list(form.fields["home_store"].queryset) == [store_a]
    response = login(guide_a).post(reverse("console:member_create"), _form_data(home_store=store_b.pk))
    assert response.status_code == 200 and "home_store" in response.context["form"].errors
    assert not Member.objects.exists()


def test_edit_by_guide_keeps_hidden_personal_data_when_left_blank(login, guide_a, member_a):
    client = login(guide_a)
    form_page = client.get(reverse("console:member_edit", args=[member_a.pk])).content.decode()
    assert "13812348000" not in form_page and 'placeholder="138****8000"' in form_page
    data = _form_data(name="", mobile="", email="", birthday="", hobbies="钓鱼", home_store=member_a.home_store_id)
    response = client.post(reverse("console:member_edit", args=[member_a.pk]), data)
    assert response.status_code == 302
    member_a.refresh_from_db()
    assert member_a.mobile == "13812348000" and member_a.name == "张小明" and member_a.email == "xm@example.com"
    assert member_a.hobbies == "钓鱼"


def test_edit_with_a_taken_mobile_shows_the_error(login, hq, member_a, member_b):
    data = _form_data(mobile=member_b.mobile, name="张小明", home_store=member_a.home_store_id)
    response = login(hq).post(reverse("console:member_edit", args=[member_a.pk]), data)
    assert response.status_code == 200
    assert "已被其他会员使用" in response.content.decode() or response.context["form"].errors["mobile"]
    member_a.refresh_from_db()
    assert member_a.mobile == "13812348000"


def test_consent_toggle(login, guide_a, member_a):
    client = login(guide_a)
    url = reverse("console:consent_set", args=[member_a.pk])
    client.post(url, {"purpose": "marketing", "channel": "email", "granted": "1"})
    client.post(url, {"purpose": "marketing", "channel": "email", "granted": "0"})
    rows = list(Consent.objects.filter(member=member_a, purpose="marketing", channel="email").order_by("id"))
    assert [r.granted for r in rows] == [True, False] and rows[-1].actor == guide_a
    cell = client.get(reverse("console:member_detail", args=[member_a.pk])).content.decode()
    cell = cell[cell.index('id="consent-marketing-email"'):][:900]
    assert "已撤回" in cell and "同意授权" in cell


def test_withdraw_needs_confirmation_then_anonymises(login, manager_a, member_a):
    client = login(manager_a)
    url = reverse("console:member_withdraw", args=[member_a.pk])
    assert client.post(url, {"reason": "顾客要求"}).status_code == 200  # no confirmation ticked
    assert Member.objects.get(pk=member_a.pk).status == MemberStatus.ACTIVE
    response = client.post(url, {"reason": "顾客要求", "confirm": "on"})
    assert response.status_code == 302
    member_a.refresh_from_db()
    assert member_a.status == MemberStatus.WITHDRAWN and member_a.mobile is None


def test_edit_form_is_prefilled_for_hq(login, hq, member_a):
    page = login(hq).get(reverse("console:member_edit", args=[member_a.pk])).content.decode()
    assert 'value="13812348000"' in page and 'value="张小明"' in page and 'value="1990-03-07"' in page
