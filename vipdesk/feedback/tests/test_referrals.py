"""Referrals (R9.5, seed 001 第五.2 转介绍: "让客户为我们再介绍新的客户"): who brought whom, and the
referrer's reward points through the points service, exactly once."""
import pytest

from vipdesk.core.errors import Conflict, NotFound, ValidationFailed
from vipdesk.feedback.choices import ReferralStatus
from vipdesk.feedback.models import FeedbackPolicy, Referral
from vipdesk.feedback.selectors import referrals_for
from vipdesk.feedback.services import referral_record
from vipdesk.members.services import member_withdraw
from vipdesk.points.choices import EntryKind
from vipdesk.points.models import PointsAccount, PointsEntry
from vipdesk.testing.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def friend(store_a, hq):
    return make_member(actor=hq, store=store_a, name="王芳", mobile="13612340001")


def balance(member) -> int:
    account = PointsAccount.objects.filter(member=member).first()
    return account.balance if account else 0


def test_the_referrer_is_rewarded_once_and_the_file_names_him(guide_a, member_a, friend):
    referral, created = referral_record(actor=guide_a, referrer=member_a, referred=friend, note="老顾客带朋友来店")
    again, created_again = referral_record(actor=guide_a, referrer=member_a, referred=friend)
    assert created and not created_again and again.pk == referral.pk
    assert referral.status == ReferralStatus.REWARDED and referral.points == 100  # the policy's default
    assert balance(member_a) == 100 and balance(friend) == 0
    entry = PointsEntry.objects.get(account__member=member_a)
    assert entry.kind == EntryKind.BONUS and entry.action == "referral" and referral.points_entry == entry
    friend.refresh_from_db()
    assert friend.referrer == member_a


def test_reward_follows_the_policy_and_zero_means_recorded_without_points(guide_a, member_a, friend, store_a, hq):
    FeedbackPolicy.objects.update_or_create(code="default", defaults={"referral_points": 0})
    referral, _ = referral_record(actor=guide_a, referrer=member_a, referred=friend)
    assert referral.status == ReferralStatus.NO_REWARD and referral.points_entry is None and balance(member_a) == 0


def test_one_referrer_per_member_no_self_referral_and_no_withdrawn_members(guide_a, hq, member_a, friend, store_a):
    other = make_member(actor=hq, store=store_a, name="赵六", mobile="13612340002")
    referral_record(actor=guide_a, referrer=member_a, referred=friend)
    with pytest.raises(Conflict) as taken:
        referral_record(actor=guide_a, referrer=other, referred=friend)
    assert taken.value.code == "already_referred"
    with pytest.raises(ValidationFailed):
        referral_record(actor=guide_a, referrer=member_a, referred=member_a)
    with pytest.raises(ValidationFailed):  # the referred member must have joined after the referrer
        referral_record(actor=guide_a, referrer=other, referred=member_a)
    member_withdraw(actor=hq, member=other, reason="顾客要求")
    late = make_member(actor=hq, store=store_a, name="孙七", mobile="13612340003")
    with pytest.raises(Conflict):
        referral_record(actor=guide_a, referrer=other, referred=late)
    assert Referral.objects.count() == 1 and balance(member_a) == 100


def test_scoping(guide_b, manager_a, member_a, friend, hq):
    with pytest.raises(NotFound):  # another store's members do not exist for him
        referral_record(actor=guide_b, referrer=member_a, referred=friend)
    referral_record(actor=hq, referrer=member_a, referred=friend)
    assert referrals_for(manager_a).count() == 1 and referrals_for(guide_b).count() == 0
