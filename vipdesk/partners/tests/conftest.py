import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from vipdesk.core import clock as vclock
from vipdesk.members.cards import card_issue
from vipdesk.partners.services import partner_benefit_save, partner_key_issue, partner_save
from vipdesk.points.choices import BonusAction, RuleKind
from vipdesk.points.models import EarnRule, PointsPolicy
from vipdesk.testing.factories import make_member
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.models import Level
from vipdesk.tiers.overrides import tier_override
from vipdesk.tiers.presets import PRESETS


@pytest.fixture
def programme(db):
    programme_install(spec=PRESETS["department-store"])
    PointsPolicy.objects.get_or_create(code="default")


def level(code):
    return Level.objects.get(code=code, programme__active=True)


def make_partner(hq, code="YX", name="悦享影城", **extra):
    today = vclock.today()
    data = {"code": code, "name": name, "category": "cinema", "contact_name": "周经理", "contact_mobile": "13912345678",
            "contract_start": (today - dt.timedelta(days=30)).isoformat(), "contract_end": (today + dt.timedelta(days=365)).isoformat(),
            "point_value": "0.01", **extra}
    return partner_save(actor=hq, data=data)


@pytest.fixture
def partner(programme, hq, clock):
    p = make_partner(hq)
    partner_benefit_save(actor=hq, partner=p, data={"level": level("GOLD").pk, "code": "partner_discount", "name": "联盟商家9.5折",
                                                    "kind": "discount", "discount": "9.5", "per_month": "4", "per_visit": "1"})
    partner_benefit_save(actor=hq, partner=p, data={"level": level("DIAMOND").pk, "code": "drink", "name": "免费饮品一杯",
                                                    "kind": "gift", "per_month": "", "per_visit": "2"})
    return p


@pytest.fixture
def other_partner(programme, hq, clock):
    p = make_partner(hq, code="XH", name="星河健身", category="beauty")
    partner_benefit_save(actor=hq, partner=p, data={"level": level("GOLD").pk, "code": "partner_discount", "name": "联盟商家9折",
                                                    "kind": "discount", "discount": "9", "per_month": "2", "per_visit": "1"})
    return p


def gold_member(hq, store, name="林小红", mobile="13766667777"):
    member = make_member(store=store, name=name, mobile=mobile)
    tier_override(actor=hq, member=member, level="GOLD", reason="测试", until=vclock.today() + dt.timedelta(days=90))
    return member


@pytest.fixture
def gold(programme, hq, store_a, clock):
    return gold_member(hq, store_a)


@pytest.fixture
def partner_rule(db):
    return EarnRule.objects.create(kind=RuleKind.BONUS, action=BonusAction.PARTNER, yuan_per_point=Decimal("1"), name="联盟商家积分")


def key_client(key) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def partner_key(partner, hq):
    return partner_key_issue(actor=hq, partner=partner)


@pytest.fixture
def card(gold):
    return card_issue(actor=None, member=gold)
