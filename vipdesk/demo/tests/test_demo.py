"""`vipdesk demo`: loads the chain once, through the services, with valid and maskable data."""
import re
from collections import Counter

import pytest

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Action, Role, can
from vipdesk.core.masking import mask_id_number, mask_mobile, mask_name
from vipdesk.core.validators import luhn_valid, normalize_id_number, normalize_mobile
from vipdesk.members.choices import CardStatus, MemberStatus
from vipdesk.members.models import Card, Consent, Member
from vipdesk.members.selectors import member_search
from vipdesk.org.models import Store

# The demo prints no warnings at whoever runs it (lifetimes' unused standard errors once did).
pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.filterwarnings("error::RuntimeWarning")]


def test_second_run_adds_nothing(demo):
    assert demo["counts"]["members"] == 200
    assert demo["after"] == demo["counts"]
    assert "already loaded" in demo["second"]


def test_chain_has_three_stores_one_franchised(demo):
    stores = {s.code: s for s in Store.objects.select_related("region", "franchisee")}
    assert set(stores) == {"S001", "S002", "S003"}
    assert stores["S003"].franchisee.legal_name == "杭州湖滨商贸有限公司"
    assert stores["S001"].franchisee is None and stores["S002"].franchisee is None
    assert {s.region.name for s in stores.values()} == {"华北", "华东"}


def test_staff_cover_every_role_and_store(demo):
    roles = Counter(Staff.objects.values_list("role", flat=True))
    assert roles[Role.HQ_ADMIN] == 2 and roles[Role.AUDITOR] == 1 and roles[Role.STORE_MANAGER] == 3
    assert 2 <= roles[Role.ACCOUNT_MANAGER] <= 3 and roles[Role.GUIDE] >= 12 and roles[Role.CASHIER] >= 3
    assert 25 <= sum(roles.values()) <= 35
    for code in ("S001", "S002", "S003"):
        here = Counter(Staff.objects.filter(stores__code=code).values_list("role", flat=True))
        assert here[Role.STORE_MANAGER] == 1 and 4 <= here[Role.GUIDE] <= 6 and 1 <= here[Role.CASHIER] <= 2
    manager = Staff.objects.get(username="s001_manager")
    assert manager.check_password("vipdesk2026") and re.fullmatch(r"[\u4e00-\u9fff]{2,4}", manager.display_name)


def test_output_lists_logins_and_addresses(demo):
    out = demo["first"]
    assert "http://127.0.0.1:8000/" in out and "/api/docs/" in out
    assert re.search(r"s001_guide1\s+vipdesk2026\s+导购 Shopping guide", out)
    assert "vipdesk apikey create" in out


def test_every_mobile_and_id_number_validates(demo):
    members = list(Member.objects.filter(status=MemberStatus.ACTIVE))
    assert all(normalize_mobile(m.mobile) == m.mobile and m.mobile_last4 == m.mobile[-4:] for m in members)
    with_id = [m for m in members if m.id_number]
    assert 0.2 < len(with_id) / len(members) < 0.4
    for m in with_id:
        assert normalize_id_number(m.id_number) == m.id_number
        assert m.id_number[6:14] == m.birthday.strftime("%Y%m%d")
        assert (int(m.id_number[16]) % 2 == 1) == (m.gender == "M")


def test_members_owned_in_their_home_store(demo):
    for m in Member.objects.filter(status=MemberStatus.ACTIVE).select_related("owner", "home_store"):
        assert m.owner.role in (Role.GUIDE, Role.ACCOUNT_MANAGER)
        assert m.home_store_id in m.owner.store_ids


def test_cards_are_varied_and_numbers_check(demo):
    statuses = Counter(Card.objects.values_list("status", flat=True))
    assert statuses[CardStatus.ACTIVE] > 150 and statuses[CardStatus.PENDING] >= 1 and statuses[CardStatus.REPLACED] >= 1
    media = set(Card.objects.values_list("media", flat=True))
    assert {"barcode", "qr", "magstripe"} <= media
    assert all(luhn_valid(n) for n in Card.objects.exclude(media="magstripe").values_list("number", flat=True))
    assert Card.objects.exclude(legacy_number="").exists()


def test_masking_on_demo_data(demo):
    guide = Staff.objects.get(username="s002_guide1")
    assert not can(guide, Action.SEE_FULL) and can(Staff.objects.get(username="hq"), Action.SEE_FULL)
    member = Member.objects.restrict(guide, "view").exclude(id_number="").filter(status=MemberStatus.ACTIVE).first()
    assert re.fullmatch(r"1\d{2}\*{4}\d{4}", mask_mobile(member.mobile))
    masked = mask_name(member.name)
    assert masked[0] == member.name[0] and "*" in masked and masked != member.name
    assert mask_id_number(member.id_number)[6:14] == "********"


def test_demo_members_are_found_by_last4_within_scope(demo):
    guide = Staff.objects.get(username="s003_guide1")
    member = Member.objects.filter(home_store__code="S001", status=MemberStatus.ACTIVE).first()
    assert member in member_search(Member.objects.restrict(Staff.objects.get(username="hq"), "view"), member.mobile[-4:])
    assert member not in member_search(Member.objects.restrict(guide, "view"), member.mobile[-4:])


def test_purchases_were_posted_through_the_services_up_to_yesterday(demo):
    import datetime as dt

    from vipdesk.core import clock
    from vipdesk.points.models import PointsEntry
    from vipdesk.sales.models import Sale
    from vipdesk.scheduler.models import JobRun

    yesterday = clock.today() - dt.timedelta(days=1)
    sales = Sale.objects.filter(kind="sale")
    assert sales.count() > 200 and not sales.filter(business_date__gt=yesterday).exists()
    assert sales.filter(business_date__gte=yesterday - dt.timedelta(days=60)).exists()  # recent trade, not just 1997 shapes
    assert not sales.filter(result={}).exists()  # every sale carries the posting service's result
    assert Sale.objects.filter(kind="return").exists() and PointsEntry.objects.filter(kind="redeem").exists()
    assert set(sales.values_list("store__code", flat=True)) == {"S001", "S002", "S003"}
    # the daily jobs ran for every business date of the history, once
    first = sales.order_by("business_date").values_list("business_date", flat=True).first()
    assert JobRun.objects.filter(job="points", date__range=(first, yesterday)).count() == (yesterday - first).days + 1


def test_history_gives_a_tier_mix_dormancy_and_points_that_add_up(demo):
    from vipdesk.points.models import PointsAccount
    from vipdesk.points.services import points_recompute
    from vipdesk.members.models import DormantCard
    from vipdesk.tiers.models import MemberTier

    levels = Counter(MemberTier.objects.filter(level__isnull=False).values_list("level__code", flat=True))
    assert len(levels) >= 3 and levels["PK"] > levels.get("DIAMOND", 0)
    assert DormantCard.objects.exists()  # CDNOW buyers mostly stop: their cards fall dormant
    for account in PointsAccount.objects.select_related("member")[:60]:
        assert points_recompute(member=account.member)["ok"]


def test_a_busy_port_is_said_plainly():
    import socket

    from django.core.management import CommandError

    from vipdesk.demo.management.commands.demo import Command

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(CommandError, match="已被占用"):
            Command().serve(f"127.0.0.1:{port}")


def test_the_portal_demo_member_has_what_the_member_centre_shows(demo):
    from decimal import Decimal

    from vipdesk.coupons.services import usable_coupons
    from vipdesk.demo.portal import DEMO_MOBILE
    from vipdesk.points.services import points_summary
    from vipdesk.tiers.progress import tier_progress
    from vipdesk.wallet.services import wallet_summary

    out = demo["first"]
    assert "http://127.0.0.1:8000/m/" in out and DEMO_MOBILE in out and "sms" in out
    member = Member.objects.get(mobile=DEMO_MOBILE)
    points = points_summary(member)
    assert points["available"] > 0 and points["next_expiry"] is not None
    assert usable_coupons(member).exists()
    assert Decimal(wallet_summary(member, entries=0)["balance"]) > 0
    progress = tier_progress(member)
    assert progress["current"] and progress["next"]
