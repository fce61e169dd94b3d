"""The partner counter API (issue 18 §3) and "a partner key reaches nothing beyond what is named":
every API endpoint of the project, tried with partner A's key and partner B's ids and members' ids."""
import datetime as dt
import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from vipdesk.members.cards import card_issue
from vipdesk.members.ecard import ecard_code
from vipdesk.partners.models import BenefitUse, PartnerRedemption
from vipdesk.partners.services import partner_key_issue
from vipdesk.points.models import PointsAccount, PointsEntry
from vipdesk.points.services import points_credit_bonus

from .conftest import gold_member, key_client

pytestmark = pytest.mark.django_db


def test_lookup_shows_the_masked_name_level_and_this_partners_benefits_only(partner, other_partner, partner_key, gold):
    response = key_client(partner_key).post("/api/v1/partner/members/lookup/", {"member": {"mobile": gold.mobile}},
                                            content_type="application/json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert set(data) == {"name", "level", "benefits"} and data["name"] == "林*红" and data["level"] == "金卡"
    assert [(b["name"], b["discount"]) for b in data["benefits"]] == [("联盟商家9.5折", "9.50")]  # not 星河健身's 9折
    assert gold.mobile not in response.content.decode() and "林小红" not in response.content.decode()


def test_use_by_card_once_per_reference_then_the_monthly_limit(partner, partner_key, gold, card):
    client = key_client(partner_key)
    body = {"member": {"card": card.number}, "code": "partner_discount", "reference": "YX-0001", "amount": "320.00"}
    first = client.post("/api/v1/partner/uses/", body, content_type="application/json")
    again = client.post("/api/v1/partner/uses/", body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200), first.content
    assert first.json()["discount"] == "9.50" and again.json()["replayed"] and again.json()["id"] == first.json()["id"]
    for n in range(3):
        assert client.post("/api/v1/partner/uses/", {**body, "reference": f"YX-{n + 2}"}, content_type="application/json").status_code == 201
    refused = client.post("/api/v1/partner/uses/", {**body, "reference": "YX-9"}, content_type="application/json")
    assert refused.status_code == 409 and refused.json()["code"] == "benefit_limit_exceeded"
    assert BenefitUse.objects.count() == 4
    unknown = client.post("/api/v1/partner/uses/", {**body, "member": {"member_no": gold.member_no}}, content_type="application/json")
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_field"


def test_spend_and_points_through_the_key(partner, partner_key, gold, card, partner_rule):
    client = key_client(partner_key)
    spend = client.post("/api/v1/partner/spend-reports/", {"member": {"mobile": gold.mobile}, "reference": "S-1", "amount": "150.00",
                                                    "spent_on": dt.date.today().isoformat()}, content_type="application/json")
    assert spend.status_code == 201 and spend.json()["points"] == 150, spend.content
    short = client.post("/api/v1/partner/redemptions/", {"member": {"card": card.number}, "reference": "R-1", "points": 100},
                        content_type="application/json")
    assert short.status_code == 422  # today's points are usable tomorrow unless the policy says otherwise, or too few
    assert short.json()["code"] in ("same_day_points", "insufficient_points")


def test_paying_with_points_by_mobile_only_is_refused_and_writes_nothing(partner, partner_key, gold, card):
    points_credit_bonus(member=gold, points=1000, action="test", on=dt.date.today() - dt.timedelta(days=2))
    entries = PointsEntry.objects.count()
    client = key_client(partner_key)
    body = {"member": {"mobile": gold.mobile}, "reference": "R-M", "points": 100}
    refused = client.post("/api/v1/partner/redemptions/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 400 and refused.json()["code"] == "member_present_required", refused.content
    assert refused.json()["fields"]["member"] == ["积分支付需出示会员卡或电子会员卡"]
    english = client.post("/api/v1/partner/redemptions/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["message"].startswith("Paying with points needs the member's card or e-card")
    assert not PartnerRedemption.objects.exists() and PointsEntry.objects.count() == entries
    assert PointsAccount.objects.get(member=gold).balance == 1000
    paid = client.post("/api/v1/partner/redemptions/", {**body, "member": {"card": card.number}}, content_type="application/json")
    assert paid.status_code == 201 and paid.json()["points"] == 100, paid.content
    assert PointsAccount.objects.get(member=gold).balance == 900


def _api_routes():
    """(URL name, its kwargs) of every API endpoint: the resolver's patterns under /api/."""
    out = []

    def walk(resolver, prefix):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                walk(p, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and prefix.startswith("api/") and p.name != "api-not-found":
                out.append((p.name, list(p.pattern.regex.groupindex)))

    walk(get_resolver(), "")
    return out


PARTNER_ROUTES = {"partner-member-lookup", "partner-uses", "partner-use", "partner-spends", "partner-redemptions"}


def test_a_partner_key_reaches_nothing_beyond_what_is_named(partner, other_partner, partner_key, gold, hq, store_b, partner_rule):
    """Partner A's key, on every API endpoint, with partner B's use and the members' ids in every
    URL parameter: refused (403) everywhere but the partner endpoints; there B's use is 404."""
    other_key = partner_key_issue(actor=hq, partner=other_partner)
    member_b = gold_member(hq, store_b, name="欧阳娜娜", mobile="13855556666")
    use_b = key_client(other_key).post("/api/v1/partner/uses/", {"member": {"mobile": member_b.mobile}, "code": "partner_discount",
                                                                "reference": "XH-1"}, content_type="application/json")
    assert use_b.status_code == 201, use_b.content
    ids = [str(use_b.json()["id"]), str(member_b.pk), str(gold.pk), member_b.member_no, str(other_partner.pk)]
    client = key_client(partner_key)
    routes = _api_routes()
    assert len(routes) > 60  # the whole API, not a sample
    tried = 0
    for name, kwargs in routes:
        paths = set()
        for value in ids if kwargs else [None]:
            try:
                paths.add(reverse(name, kwargs={k: value for k in kwargs}))
            except NoReverseMatch:  # an int converter and a text id
                pass
        assert paths, name
        for path in sorted(paths):
            for method in ("get", "post", "put", "patch", "delete"):
                response = getattr(client, method)(path, {} if method == "get" else {"member": {"mobile": member_b.mobile}},
                                                   **({} if method == "get" else {"content_type": "application/json"}))
                tried += 1
                code = response.status_code
                if name in PARTNER_ROUTES:
                    if name == "partner-use" and method == "get":
                        assert code == 404, (path, code)  # B's use (or a member id) is nobody to A
                    else:
                        assert code in (400, 404, 405, 409, 422, 200), (path, method, code)
                        if code == 200:
                            assert set(response.json()) == {"name", "level", "benefits"}  # the lookup: masked, nothing else
                            assert response.json()["benefits"] == [] or all(
                                b["code"] in {"partner_discount", "drink"} for b in response.json()["benefits"])
                else:
                    # the gateway's signed callbacks answer any unsigned caller 401 before anything else
                    assert code in (403, 405) or (code == 401 and name in ("messaging-callback", "messaging-inbound")) \
                        or (code == 200 and name in ("api-schema", "api-docs")), (path, method, code, response.content[:200])
    assert tried > 300
    # B's use is untouched and still B's; A recorded nothing for B's member
    assert BenefitUse.objects.filter(partner=partner).count() == 0


def test_another_partners_references_and_benefit_codes_name_nothing_of_it(partner, other_partner, partner_key, gold, hq, store_b,
                                                                       partner_rule):
    """Partner A's key with complete bodies that name partner B's things — B's references on the
    uses, spends and redemptions, a benefit code only B offers, B's member — never answers B's
    records (no replay of B's use, spend or payment) and never writes anything of B's."""
    from decimal import Decimal

    from vipdesk.core import clock
    from vipdesk.partners.models import PartnerRedemption, PartnerBenefit
    from vipdesk.partners.services import partner_benefit_save
    from vipdesk.points.models import PartnerSpend
    from vipdesk.points.services import points_credit_bonus

    from .conftest import level

    partner_benefit_save(actor=hq, partner=other_partner, data={"level": level("GOLD").pk, "code": "gym", "name": "免费健身一次",
                                                                "kind": "service", "per_month": "1", "per_visit": "1"})
    member_b = gold_member(hq, store_b, name="欧阳娜娜", mobile="13855556666")
    for m in (gold, member_b):
        points_credit_bonus(member=m, points=1000, action="test", on=clock.today() - dt.timedelta(days=2))
    b = key_client(partner_key_issue(actor=hq, partner=other_partner))
    today = clock.today().isoformat()
    use_b = b.post("/api/v1/partner/uses/", {"member": {"mobile": member_b.mobile}, "code": "gym", "reference": "B-1"},
                   content_type="application/json").json()
    spend_b = b.post("/api/v1/partner/spend-reports/", {"member": {"mobile": member_b.mobile}, "reference": "B-1", "amount": "500.00",
                                                        "spent_on": today}, content_type="application/json").json()
    card_b = card_issue(actor=None, member=member_b).number
    paid_b = b.post("/api/v1/partner/redemptions/", {"member": {"card": card_b}, "reference": "B-1", "points": 300},
                    content_type="application/json").json()
    a = key_client(partner_key)
    lookup = a.post("/api/v1/partner/members/lookup/", {"member": {"mobile": member_b.mobile}}, content_type="application/json").json()
    assert [x["code"] for x in lookup["benefits"]] == ["partner_discount"]  # A's own, not B's gym
    gym = a.post("/api/v1/partner/uses/", {"member": {"mobile": member_b.mobile}, "code": "gym", "reference": "A-gym"},
                 content_type="application/json")
    assert gym.status_code == 409 and gym.json()["code"] == "benefit_not_available"
    use = a.post("/api/v1/partner/uses/", {"member": {"mobile": member_b.mobile}, "code": "partner_discount", "reference": "B-1"},
                 content_type="application/json")
    assert use.status_code == 201 and use.json()["id"] != use_b["id"] and not use.json()["replayed"]
    spend = a.post("/api/v1/partner/spend-reports/", {"member": {"mobile": member_b.mobile}, "reference": "B-1", "amount": "80.00",
                                                      "spent_on": today}, content_type="application/json")
    assert spend.status_code == 201 and spend.json()["id"] != spend_b["id"] and spend.json()["amount"] == "80.00"
    paid = a.post("/api/v1/partner/redemptions/", {"member": {"ecard": ecard_code(member_b)["code"]}, "reference": "B-1", "points": 100},
                  content_type="application/json")
    assert paid.status_code == 201 and paid.json()["id"] != paid_b["id"] and paid.json()["points"] == 100
    assert a.get(f"/api/v1/partner/uses/{use_b['id']}/").status_code == 404
    # B's records are as B wrote them, and only B's key reads B's use
    assert BenefitUse.objects.get(pk=use_b["id"]).partner_id == other_partner.pk
    assert PartnerSpend.objects.get(pk=spend_b["id"]).amount == Decimal("500.00")
    assert PartnerRedemption.objects.get(pk=paid_b["id"]).points == 300
    assert b.get(f"/api/v1/partner/uses/{use_b['id']}/").status_code == 200
    assert not PartnerBenefit.objects.filter(partner=partner, code="gym").exists()
