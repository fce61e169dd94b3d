"""Issue 18 §3: partner benefits per level with limits, uses once per reference, spend and points
at partners, through the services (000 篇6: 尚峰's 金卡 gets 9.5折 at a partner)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from vipdesk.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from vipdesk.members.cards import card_issue
from vipdesk.members.ecard import ecard_code
from vipdesk.partners.counter import benefit_use_record, member_card, partner_for_key, points_redeem_at_partner, spend_report
from vipdesk.partners.models import BenefitUse, Partner, PartnerBenefit, PartnerRedemption
from vipdesk.partners.services import partner_benefits_from_levels, partner_key_issue, partner_save
from vipdesk.points.models import PartnerSpend, PointsAccount
from vipdesk.points.services import points_credit_bonus, points_recompute

from .conftest import gold_member, level, make_partner

pytestmark = pytest.mark.django_db


def test_shangfeng_gold_card_gets_nine_point_five_at_a_partner(partner, gold):
    seen = member_card(partner, {"mobile": gold.mobile})
    assert seen["name"] == "林*红" and seen["level"] == "金卡"
    assert [(b["name"], b["discount"], b["remaining_this_month"]) for b in seen["benefits"]] == [("联盟商家9.5折", Decimal("9.50"), 4)]
    use = benefit_use_record(partner=partner, ref={"mobile": gold.mobile}, code="partner_discount", reference="YX-1",
                             amount=Decimal("320.00"))
    assert use.benefit.discount == Decimal("9.50") and not use.replayed
    assert member_card(partner, {"mobile": gold.mobile})["benefits"][0]["remaining_this_month"] == 3


def test_a_level_sees_only_its_own_benefits(partner, hq, store_a):
    member = gold_member(hq, store_a, name="欧阳娜娜", mobile="13855556666")
    from vipdesk.tiers.overrides import tier_override
    from vipdesk.core import clock

    tier_override(actor=hq, member=member, level="DIAMOND", reason="测试", until=clock.today() + dt.timedelta(days=30))
    assert [b["code"] for b in member_card(partner, {"mobile": member.mobile})["benefits"]] == ["drink"]
    with pytest.raises(DomainError) as exc:
        benefit_use_record(partner=partner, ref={"mobile": member.mobile}, code="partner_discount", reference="R1")
    assert exc.value.code == "benefit_not_available"


def test_limits_per_visit_and_per_month(partner, gold, hq, store_a):
    with pytest.raises(DomainError) as exc:
        benefit_use_record(partner=partner, ref={"mobile": gold.mobile}, code="partner_discount", reference="V", quantity=2)
    assert exc.value.code == "benefit_limit_exceeded" and "quantity" in exc.value.fields
    for n in range(4):
        benefit_use_record(partner=partner, ref={"mobile": gold.mobile}, code="partner_discount", reference=f"M{n}")
    with pytest.raises(DomainError) as exc:
        benefit_use_record(partner=partner, ref={"mobile": gold.mobile}, code="partner_discount", reference="M5")
    assert exc.value.code == "benefit_limit_exceeded"
    assert BenefitUse.objects.filter(member=gold).count() == 4


def test_the_monthly_limit_starts_again_next_month(partner, gold, time_machine):
    for n in range(4):
        benefit_use_record(partner=partner, ref={"mobile": gold.mobile}, code="partner_discount", reference=f"J{n}")
    from vipdesk.core import clock
    from vipdesk.core.dates import add_months

    time_machine.move_to(dt.datetime.combine(add_months(clock.today().replace(day=1), 1), dt.time(12)), tick=False)
    use = benefit_use_record(partner=partner, ref={"mobile": gold.mobile}, code="partner_discount", reference="NEXT")
    assert use.period != BenefitUse.objects.get(reference="J0").period


def test_a_use_is_idempotent_by_the_partners_reference(partner, other_partner, gold):
    first = benefit_use_record(partner=partner, ref={"mobile": gold.mobile}, code="partner_discount", reference="YX-9")
    again = benefit_use_record(partner=partner, ref={"mobile": gold.mobile}, code="partner_discount", reference="YX-9")
    assert again.replayed and again.pk == first.pk and BenefitUse.objects.count() == 1
    with pytest.raises(Conflict):
        benefit_use_record(partner=partner, ref={"mobile": gold.mobile}, code="partner_discount", reference="YX-9", quantity=2)
    # the same reference at another partner is its own use
    other = benefit_use_record(partner=other_partner, ref={"mobile": gold.mobile}, code="partner_discount", reference="YX-9")
    assert other.pk != first.pk and BenefitUse.objects.count() == 2


def test_spend_earns_by_the_partner_rule_and_points_pay_at_the_partner(partner, gold, partner_rule):
    spend = spend_report(partner=partner, ref={"mobile": gold.mobile}, reference="S1", amount=Decimal("388.80"),
                         spent_on=dt.date.today())
    assert spend.points == 388 and spend.partner == "YX"
    assert spend_report(partner=partner, ref={"mobile": gold.mobile}, reference="S1", amount=Decimal("388.80"),
                        spent_on=dt.date.today()).replayed
    points_credit_bonus(member=gold, points=1000, action="test", on=dt.date.today() - dt.timedelta(days=2))
    card = card_issue(actor=None, member=gold)
    red = points_redeem_at_partner(partner=partner, ref={"card": card.number}, reference="R1", points=500)
    assert red.value == Decimal("5.00") and PointsAccount.objects.get(member=gold).balance == 888
    assert points_redeem_at_partner(partner=partner, ref={"card": card.number}, reference="R1", points=500).replayed
    assert PointsAccount.objects.get(member=gold).balance == 888
    with pytest.raises(DomainError) as exc:
        points_redeem_at_partner(partner=partner, ref={"ecard": ecard_code(gold)["code"]}, reference="R2", points=5000)
    assert exc.value.code == "insufficient_points"
    assert points_recompute(member=gold)["ok"]


def test_paying_with_points_needs_the_card_or_the_e_card_not_the_mobile(partner, gold):
    """Issue 18 §3: a key holder who only knows her mobile cannot spend her points; the card or the
    e-card's dynamic code shows she is at the counter. Looking her up and a benefit use keep mobile."""
    points_credit_bonus(member=gold, points=1000, action="test", on=dt.date.today() - dt.timedelta(days=2))
    with pytest.raises(DomainError) as exc:
        points_redeem_at_partner(partner=partner, ref={"mobile": gold.mobile}, reference="M1", points=100)
    assert exc.value.code == "member_present_required" and exc.value.status == 400 and "member" in exc.value.fields
    assert not PartnerRedemption.objects.exists() and PointsAccount.objects.get(member=gold).balance == 1000
    paid = points_redeem_at_partner(partner=partner, ref={"ecard": ecard_code(gold)["code"]}, reference="E1", points=100)
    assert paid.points == 100 and not paid.replayed and PointsAccount.objects.get(member=gold).balance == 900
    # a retry of a card payment by mobile is refused too, not replayed
    with pytest.raises(DomainError) as exc:
        points_redeem_at_partner(partner=partner, ref={"mobile": gold.mobile}, reference="E1", points=100)
    assert exc.value.code == "member_present_required"
    assert member_card(partner, {"mobile": gold.mobile})["level"]
    assert benefit_use_record(partner=partner, ref={"mobile": gold.mobile}, code="partner_discount", reference="U1").pk


def test_only_a_partner_key_of_a_partner_in_contract(partner, hq, clock):
    key = partner_key_issue(actor=hq, partner=partner)
    partner.refresh_from_db()
    assert partner_for_key(partner.api_client) == partner and key.startswith("vd_")
    old = partner.api_client
    partner_key_issue(actor=hq, partner=partner)
    old.refresh_from_db()
    assert not old.active  # rotation switches the previous key off
    Partner.objects.filter(pk=partner.pk).update(contract_end=clock_today() - dt.timedelta(days=1),
                                                 contract_start=clock_today() - dt.timedelta(days=10))
    partner.refresh_from_db()
    with pytest.raises(PermissionDenied):
        partner_for_key(partner.api_client)


def clock_today():
    from vipdesk.core import clock

    return clock.today()


def test_partner_form_refusals_and_the_levels_discount_reused(programme, hq, guide_a, clock):
    with pytest.raises(ValidationFailed) as exc:
        partner_save(actor=hq, data={"code": "", "name": "", "category": "x", "contract_start": "2026-02-30", "contract_end": ""})
    assert {"code", "name", "category", "contract_start", "contract_end"} <= set(exc.value.fields)
    with pytest.raises(PermissionDenied):
        make_partner(guide_a)
    p = make_partner(hq, code="HT", name="华庭酒店")
    assert partner_benefits_from_levels(actor=hq, partner=p) == 5
    assert partner_benefits_from_levels(actor=hq, partner=p) == 0
    gold = PartnerBenefit.objects.get(partner=p, level=level("GOLD"))
    assert gold.discount == Decimal("8.80") and gold.name == "联盟商家8.8折"  # the preset level's own number
    # 尚峰's ladder as the seed (000 篇6) writes it: 普卡 9.5折, 银卡 9折, 金卡 8.8折, 钻石卡 8.5折
    ladder = {b.level.name: b.discount for b in PartnerBenefit.objects.filter(partner=p).select_related("level")}
    assert {k: ladder.get(k) for k in ("普卡", "银卡", "金卡", "钻石卡")} == {
        "普卡": Decimal("9.50"), "银卡": Decimal("9.00"), "金卡": Decimal("8.80"), "钻石卡": Decimal("8.50")}


def test_a_partner_keeps_its_code_once_it_has_records(partner, other_partner, gold, hq, client, partner_rule):
    """Spends are matched to the partner by its code: renaming the code would drop them from its
    settlement, so once a use, spend or points payment exists the code is refused beside the field."""
    data = {k: getattr(partner, k) for k in ("code", "name", "category", "contact_name", "contact_mobile", "contract_start",
                                             "contract_end", "point_value")}
    assert partner_save(actor=hq, partner=partner, data={**data, "code": "YX2"}).code == "YX2"  # no records yet: free
    data["code"] = "YX2"
    partner.refresh_from_db()
    spend_report(partner=partner, ref={"mobile": gold.mobile}, reference="S1", amount=Decimal("100"), spent_on=dt.date.today())
    with pytest.raises(ValidationFailed) as exc:
        partner_save(actor=hq, partner=partner, data={**data, "code": "YX3"})
    assert set(exc.value.fields) == {"code"}
    partner.refresh_from_db()
    assert partner.code == "YX2" and PartnerSpend.objects.filter(partner="YX2").count() == 1
    assert partner_save(actor=hq, partner=partner, data={**data, "name": "悦享影城(万达店)"}).name == "悦享影城(万达店)"
    # a benefit use alone also pins the code; the console shows the refusal beside the code field
    benefit_use_record(partner=other_partner, ref={"mobile": gold.mobile}, code="partner_discount", reference="U1")
    client.force_login(hq)
    other = {k: getattr(other_partner, k) for k in data} | {"code": "XH9", "act": "save"}
    page = client.post(reverse("console:partner", kwargs={"pk": other_partner.pk}), other, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert page.status_code == 400 and "编码不可再改" in html
    assert html.count("编码不可再改") == 1 and html.index("编码不可再改") > html.index('id="pt-code"')  # beside the partner's code only
    other_partner.refresh_from_db()
    assert other_partner.code == "XH"
