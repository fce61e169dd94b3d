"""Issue 15 §3: registration and partner bonus points, adjustments decided by a store manager of
the member's store (four eyes), through the services."""
import datetime as dt
from decimal import Decimal

import pytest

from vipdesk.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from vipdesk.points.bonuses import points_award_registration, points_partner_spend
from vipdesk.points.choices import AdjustmentStatus, BonusAction, EntryKind, RuleKind
from vipdesk.points.models import EarnRule, PartnerSpend, PointsAccount, PointsEntry
from vipdesk.points.services import points_adjust, points_adjust_decide
from vipdesk.testing.factories import make_member

pytestmark = pytest.mark.django_db


def balance(member) -> int:
    account = PointsAccount.objects.filter(member=member).first()
    return account.balance if account else 0


def test_registration_bonus_on_enrolment_once(points_policy, store_a, guide_a):
    EarnRule.objects.create(kind=RuleKind.BONUS, action=BonusAction.REGISTRATION, bonus_points=200, name="注册有礼")
    member = make_member(actor=guide_a, store=store_a, name="新会员", mobile="13700001234")
    assert balance(member) == 200  # the enrolment's signal gave it
    assert points_award_registration(member=member) == 0  # once per member
    entries = PointsEntry.objects.filter(account__member=member, kind=EntryKind.BONUS, action=BonusAction.REGISTRATION)
    assert entries.count() == 1 and balance(member) == 200


def test_no_registration_rule_no_points(points_policy, store_a, guide_a):
    member = make_member(actor=guide_a, store=store_a, name="新会员", mobile="13700001235")
    assert balance(member) == 0


def test_partner_spend_awards_the_rule_once_per_reference(points_policy, store_a, manager_a, member, clock):
    EarnRule.objects.create(kind=RuleKind.BONUS, action=BonusAction.PARTNER, yuan_per_point=Decimal("2"), name="联盟商家")
    on = dt.date.today()
    spend = points_partner_spend(actor=manager_a, member=member, partner="悦享影城", reference="YX-1", amount="125.50", spent_on=on)
    assert spend.points == 62 and balance(member) == 62 and not spend.replayed
    again = points_partner_spend(actor=manager_a, member=member, partner="悦享影城", reference="YX-1", amount="125.50", spent_on=on)
    assert again.replayed and again.pk == spend.pk and balance(member) == 62
    with pytest.raises(Conflict) as exc:
        points_partner_spend(actor=manager_a, member=member, partner="悦享影城", reference="YX-1", amount="99.00", spent_on=on)
    assert exc.value.code == "reference_conflict"
    # the same reference at another partner is another spend
    points_partner_spend(actor=manager_a, member=member, partner="星河健身", reference="YX-1", amount="10.00", spent_on=on)
    assert PartnerSpend.objects.count() == 2 and balance(member) == 67


def test_partner_spend_refusals(points_policy, store_a, manager_a, guide_a, member):
    on = dt.date.today()
    with pytest.raises(DomainError) as exc:
        points_partner_spend(actor=manager_a, member=member, partner="悦享影城", reference="YX-2", amount="100", spent_on=on)
    assert exc.value.code == "no_partner_rule"
    EarnRule.objects.create(kind=RuleKind.BONUS, action=BonusAction.PARTNER, bonus_points=50)
    with pytest.raises(ValidationFailed) as exc:
        points_partner_spend(actor=manager_a, member=member, partner="", reference="", amount="-1", spent_on=on + dt.timedelta(days=1))
    assert set(exc.value.fields) == {"partner", "reference", "amount", "spent_on"}
    with pytest.raises(PermissionDenied):
        points_partner_spend(actor=guide_a, member=member, partner="悦享影城", reference="YX-2", amount="100", spent_on=on)
    assert points_partner_spend(actor=manager_a, member=member, partner="悦享影城", reference="YX-2", amount="100",
                                spent_on=on).points == 50  # a fixed bonus when the rule has no rate


def test_store_manager_decides_own_store_adjustments(points_policy, store_a, store_b, hq, manager_a, member):
    from vipdesk.testing.factories import StaffFactory
    from vipdesk.accounts.roles import Role

    other_manager = StaffFactory(username="mgr_b", role=Role.STORE_MANAGER, stores=[store_b])
    adj = points_adjust(actor=hq, member=member, points=300, reason="补录积分", store=store_a)
    with pytest.raises(PermissionDenied) as exc:
        points_adjust_decide(actor=other_manager, adjustment=adj, approve=True)
    assert exc.value.code == "store_out_of_scope"
    points_adjust_decide(actor=manager_a, adjustment=adj, approve=True)
    adj.refresh_from_db()
    assert adj.status == AdjustmentStatus.APPROVED and adj.decided_by == manager_a and balance(member) == 300
    # the requester may not approve his own request
    own = points_adjust(actor=manager_a, member=member, points=-100, reason="误录", store=store_a)
    with pytest.raises(PermissionDenied) as exc:
        points_adjust_decide(actor=manager_a, adjustment=own, approve=True)
    assert exc.value.code == "four_eyes" and balance(member) == 300
    points_adjust_decide(actor=hq, adjustment=own, approve=True)
    assert balance(member) == 200
