"""The member file's user stories, through the services every entry point shares."""
import datetime as dt

import pytest
from django.db import connection
from django.utils import translation

from vipdesk.accounts.roles import Action, can
from vipdesk.audit.models import Event, PiiAccess
from vipdesk.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from vipdesk.members.choices import CardStatus, MemberStatus
from vipdesk.members.models import Consent, Member
from vipdesk.members.selectors import completeness_by_owner, completeness_by_store, member_search
from vipdesk.members.services import consent_set, consent_state, member_enrol, member_reveal, member_update, member_withdraw
from vipdesk.members.cards import card_issue
from vipdesk.testing.factories import make_member, valid_id_number

pytestmark = pytest.mark.django_db


def enrol(actor, **data):
    data.setdefault("name", "王芳")
    data.setdefault("mobile", "13912345678")
    return member_enrol(actor=actor, data=data)


class TestEnrolment:
    def test_owner_defaults_to_enrolling_staff_and_home_store_to_his(self, guide_a, store_a):
        member = enrol(guide_a)
        assert member.owner == guide_a and member.enrolled_by == guide_a
        assert member.home_store == store_a
        assert member.member_no.startswith("M") and member.mobile_last4 == "5678"
        assert Event.objects.filter(verb="member.enrolled", object_id=str(member.pk)).exists()

    def test_surname_only_is_enough(self, guide_a):
        assert enrol(guide_a, name="王").name == "王"

    @pytest.mark.parametrize("field,value", [
        ("mobile", "1391234567"), ("mobile", "23912345678"), ("mobile", "abc"), ("mobile", ""),
        ("name", ""), ("email", "not-an-email"), ("birthday", "2999-01-01"), ("birthday", "1890-01-01"),
        ("birthday", "31/02/1990"), ("id_number", "110105199003071234"), ("id_number", "12345"),
        ("gender", "X"), ("lunar_birth_month", "13"), ("lunar_birth_day", "0"), ("home_store", "NOPE"),
        ("referrer", "M99999999"), ("tags", ["x" * 31]), ("occupation", "x" * 101),
    ])
    def test_bad_input_is_refused_with_a_field_message_and_nothing_is_written(self, guide_a, field, value):
        before = Member.objects.count()
        with pytest.raises(ValidationFailed) as err:
            enrol(guide_a, **{field: value})
        assert field in err.value.fields
        assert Member.objects.count() == before

    def test_messages_are_chinese_by_default_and_english_on_request(self, guide_a):
        with translation.override("zh-hans"), pytest.raises(ValidationFailed) as zh:
            enrol(guide_a, mobile="12345", birthday="2999-01-01")
        assert "手机" in zh.value.fields["mobile"][0]
        assert "未来" in zh.value.fields["birthday"][0]
        with translation.override("en"), pytest.raises(ValidationFailed) as en:
            enrol(guide_a, mobile="12345")
        assert "Mobile" in en.value.fields["mobile"][0]

    def test_mobile_unique_in_programme(self, guide_a, guide_b):
        enrol(guide_a, mobile="139 1234 5678")
        with pytest.raises(ValidationFailed) as err:
            enrol(guide_b, mobile="+8613912345678")
        assert "mobile" in err.value.fields

    def test_id_number_encrypted_at_rest_unique_and_consistent(self, guide_a):
        number = valid_id_number("19900307", 123)  # serial 123 → odd → male
        member = enrol(guide_a, id_number=number, birthday="1990-03-07", gender="M", address="上海市黄浦区南京东路1号")
        with connection.cursor() as cur:
            cur.execute("SELECT id_number, address FROM members_member WHERE id = %s", [member.pk])
            raw_id, raw_address = cur.fetchone()
        assert number not in raw_id and "南京东路" not in raw_address
        member.refresh_from_db()
        assert member.id_number == number and member.address.endswith("1号")
        with pytest.raises(ValidationFailed) as err:
            enrol(guide_a, mobile="13900000001", id_number=number.lower())
        assert "id_number" in err.value.fields
        with pytest.raises(ValidationFailed) as err:
            enrol(guide_a, mobile="13900000002", id_number=valid_id_number("19900307", 125), birthday="1991-01-01", gender="F")
        assert {"birthday", "gender"} <= set(err.value.fields)

    def test_lunar_birthday_and_family(self, guide_a):
        member = enrol(guide_a, lunar_birth_month=8, lunar_birth_day=15, lunar_birth_leap=False,
                       family={"spouse": {"name": "李强", "birthday": "1988-05-01"}, "children": [{"name": "李小宝", "birthday": "2015-06-01"}]})
        assert (member.lunar_birth_month, member.lunar_birth_day) == (8, 15)
        assert member.family["children"][0]["birthday"] == "2015-06-01"
        with pytest.raises(ValidationFailed):
            enrol(guide_a, mobile="13900000003", lunar_birth_month=8)

    def test_store_roles_enrol_only_into_their_stores(self, guide_a, store_b):
        with pytest.raises(ValidationFailed) as err:
            enrol(guide_a, home_store=store_b.code)
        assert "home_store" in err.value.fields

    def test_auditor_cannot_enrol(self, auditor, store_a):
        with pytest.raises(PermissionDenied):
            enrol(auditor, home_store=store_a.code)


class TestCompleteness:
    def test_score_rises_with_filled_fields_and_averages_per_owner_and_store(self, guide_a, store_a):
        bare = enrol(guide_a)
        full = enrol(guide_a, mobile="13900000009", gender="F", birthday="1985-01-02", email="a@b.cn", address="北京",
                     occupation="教师", hobbies="瑜伽", style_preferences="简约", clothing_size="M", shoe_size="37")
        assert 0 < bare.completeness < full.completeness <= 100
        by_owner = list(completeness_by_owner(Member.objects.all()))
        assert by_owner[0]["owner_id"] == guide_a.pk and by_owner[0]["members"] == 2
        assert by_owner[0]["average"] == pytest.approx((bare.completeness + full.completeness) / 2)
        assert list(completeness_by_store(Member.objects.all()))[0]["home_store__code"] == store_a.code

    def test_weights_are_configurable(self, guide_a, settings):
        settings.VIPDESK = {**settings.VIPDESK, "COMPLETENESS_WEIGHTS": {"name": 1, "mobile": 1}}
        assert enrol(guide_a).completeness == 100


class TestScoping:
    def test_each_role_sees_its_rows(self, hq, auditor, guide_a, guide_b, manager_a, account_manager_a, store_a, store_b):
        a1 = make_member(actor=guide_a)
        a2 = make_member(actor=account_manager_a)
        b1 = make_member(actor=guide_b)
        seen = lambda p: set(Member.objects.restrict(p, Action.VIEW))  # noqa: E731
        assert seen(hq) == seen(auditor) == {a1, a2, b1}
        assert seen(guide_a) == seen(manager_a) == {a1, a2}
        assert seen(guide_b) == {b1}
        assert seen(account_manager_a) == {a2}
        assert set(Member.objects.restrict(auditor, Action.CHANGE)) == set()

    def test_out_of_scope_member_is_not_found(self, guide_a, guide_b):
        b1 = make_member(actor=guide_b)
        with pytest.raises(NotFound):
            member_update(actor=guide_a, member=b1, data={"hobbies": "高尔夫"})
        with pytest.raises(NotFound):
            member_reveal(actor=guide_a, member=b1, reason="看看")
        assert not PiiAccess.objects.exists()

    def test_masking_rights(self, hq, auditor, guide_a, cashier_a):
        assert can(hq, Action.SEE_FULL)
        assert not any(can(p, Action.SEE_FULL) for p in (auditor, guide_a, cashier_a))
        assert can(guide_a, Action.REVEAL) and not can(auditor, Action.REVEAL) and not can(cashier_a, Action.REVEAL)


class TestSearch:
    def test_by_mobile_last4_card_number_member_no_and_name(self, guide_a, guide_b, hq):
        mine = make_member(actor=guide_a, name="陈美玲", mobile="13600001234")
        theirs = make_member(actor=guide_b, name="陈美华", mobile="13700001234")
        card = card_issue(actor=hq, member=mine)
        scope = Member.objects.restrict(guide_a, Action.VIEW)
        assert list(member_search(scope, "13600001234")) == [mine]
        assert list(member_search(scope, "136-0000-1234")) == [mine]
        assert list(member_search(scope, "1234")) == [mine]  # store B's member with the same last 4 stays hidden
        assert set(member_search(Member.objects.restrict(hq, Action.VIEW), "1234")) == {mine, theirs}
        assert list(member_search(scope, card.number)) == [mine]
        assert list(member_search(scope, mine.member_no.lower())) == [mine]
        assert list(member_search(scope, "美玲")) == [mine]
        assert list(member_search(scope, "")) == []


class TestReveal:
    def test_reveal_needs_a_reason_and_is_recorded(self, guide_a):
        member = make_member(actor=guide_a, name="赵敏", mobile="13511112222")
        with pytest.raises(ValidationFailed):
            member_reveal(actor=guide_a, member=member, reason=" ")
        data = member_reveal(actor=guide_a, member=member, reason="顾客来电核对身份")
        assert data["mobile"] == "13511112222"
        access = PiiAccess.objects.get()
        assert (access.actor, access.member, access.kind, access.reason) == (guide_a, member, "reveal", "顾客来电核对身份")

    def test_cashier_and_auditor_cannot_reveal(self, cashier_a, auditor, guide_a):
        member = make_member(actor=guide_a)
        for who in (cashier_a, auditor):
            with pytest.raises(PermissionDenied):
                member_reveal(actor=who, member=member, reason="想看")


class TestConsent:
    def test_give_and_withdraw_per_purpose_and_channel(self, guide_a):
        member = member_enrol(actor=guide_a, data={"name": "周", "mobile": "13822223333"},
                              consents={("service", "sms"): True, ("marketing", "sms"): True})
        state = consent_state(member)
        assert state[("service", "sms")].granted and state[("marketing", "sms")].granted
        assert state[("marketing", "email")] is None
        consent_set(actor=guide_a, member=member, purpose="marketing", channel="sms", granted=False)
        state = consent_state(member)
        assert not state[("marketing", "sms")].granted and state[("service", "sms")].granted
        assert Consent.objects.filter(member=member).count() == 3  # history kept
        with pytest.raises(ValidationFailed):
            consent_set(actor=guide_a, member=member, purpose="spam", channel="sms", granted=True)


class TestWithdrawal:
    def test_withdrawal_anonymises_closes_cards_keeps_rows(self, hq, guide_a):
        member = make_member(actor=guide_a, name="孙丽", mobile="13544445555", email="sl@example.cn",
                             id_number=valid_id_number("19800101", 222), birthday="1980-01-01", address="杭州")
        card = card_issue(actor=hq, member=member)
        consent_set(actor=guide_a, member=member, purpose="marketing", channel="sms", granted=True)
        member_withdraw(actor=hq, member=member, reason="本人申请退会")
        member.refresh_from_db()
        card.refresh_from_db()
        assert member.status == MemberStatus.WITHDRAWN and member.withdrawn_at
        assert member.name.startswith("W") and "孙" not in member.name
        assert member.mobile is None and member.email == "" and member.id_number == "" and member.address == ""
        assert member.birthday is None and member.id_number_hash == ""
        assert card.status == CardStatus.CLOSED
        assert not consent_state(member)[("marketing", "sms")].granted
        assert Member.objects.filter(pk=member.pk).exists()  # ledgers stay attached to the pseudonymous member
        assert Event.objects.filter(verb="member.withdrawn", object_id=str(member.pk)).exists()
        # the mobile is free for a new enrolment, and the withdrawn file cannot be edited
        make_member(actor=guide_a, mobile="13544445555")
        with pytest.raises(DomainError) as err:
            member_update(actor=hq, member=member, data={"hobbies": "x"})
        assert err.value.code == "member_withdrawn"
        with pytest.raises(DomainError):
            member_withdraw(actor=hq, member=member)

    def test_guide_cannot_withdraw(self, guide_a):
        with pytest.raises(PermissionDenied):
            member_withdraw(actor=guide_a, member=make_member(actor=guide_a))


class TestUpdate:
    def test_partial_update_records_changed_fields_only(self, guide_a):
        member = make_member(actor=guide_a, hobbies="跑步")
        member_update(actor=guide_a, member=member, data={"hobbies": "游泳", "tags": "高端客户, 珠宝"})
        member.refresh_from_db()
        assert member.hobbies == "游泳" and sorted(member.tags.values_list("name", flat=True)) == ["珠宝", "高端客户"]
        event = Event.objects.filter(verb="member.updated").get()
        assert event.payload == {"fields": ["hobbies"]}

    def test_referrer_cannot_be_self(self, guide_a):
        member = make_member(actor=guide_a)
        with pytest.raises(ValidationFailed):
            member_update(actor=guide_a, member=member, data={"referrer": member.member_no})

    def test_age(self, guide_a):
        member = make_member(actor=guide_a, birthday="2000-11-23")
        assert member.age(dt.date(2026, 11, 22)) == 25
        assert member.age(dt.date(2026, 11, 23)) == 26
