"""Demo members and their cards, written through the member and card services.

Each member is enrolled by a demo staff member of the home store (so owner, scoping, consents
and audit rows are what the console would have produced); cards are then issued, left pending,
migrated from legacy cards, frozen, lost, replaced, invalidated — again through the services.
"""
from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from lunardate import LunarDate

from vipdesk.accounts.models import Staff
from vipdesk.core import clock
from vipdesk.accounts.roles import Role
from vipdesk.members import cards as card_services
from vipdesk.members.choices import (
    CardMedia, ConsentChannel, ConsentPurpose, ConsentSource, ContactPreference, PromoReceptiveness,
    SourceChannel,
)
from vipdesk.members.models import Card, Member
from vipdesk.members.services import member_enrol, member_withdraw
from vipdesk.org.models import Store

from .chain import STORE_CODES, STORES, StorePlan
from .people import HABITS, HOBBIES, LIFESTYLES, OCCUPATIONS, PERSONALITIES, STYLES, VALUES, PeopleFactory

SOURCES = ((SourceChannel.WALK_IN, 50), (SourceChannel.REFERRAL, 12), (SourceChannel.ONLINE, 12), (SourceChannel.EVENT, 12),
           (SourceChannel.PARTNER, 6), (SourceChannel.IMPORT, 5), (SourceChannel.OTHER, 3))
# Principal card of a new member: (media or plan, cumulative share).
CARD_PLANS = (("barcode", 0.63), ("qr", 0.77), ("ic", 0.83), ("legacy", 0.88), ("pending", 0.92), ("none", 0.94), ("barcode", 1.0))
WORKING = tuple(o for o in OCCUPATIONS if o not in ("退休", "学生"))
FIRST_ENROLMENT = dt.datetime(2018, 3, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
# lunardate 0.3 renamed fromSolarDate (now deprecated); 0.2 has only the old name.
_from_solar = getattr(LunarDate, "from_solar_date", None) or LunarDate.fromSolarDate


@dataclass
class Crew:
    """Who works in one store: the manager approves cards, guides and the account manager own members."""

    store: Store
    plan: StorePlan
    manager: Staff
    guides: list[Staff]
    cashiers: list[Staff]
    account_manager: Staff
    members: list[Member] = field(default_factory=list)

    def owner(self, rng: random.Random) -> Staff:
        return self.account_manager if rng.random() < 0.15 else rng.choice(self.guides)


def crews_for(chain: dict) -> dict[str, Crew]:
    by_store: dict[str, dict[str, list[Staff]]] = {c: {} for c in STORE_CODES}
    for user in chain["staff"]:
        for store_id in user.store_ids:
            code = next(c for c, s in chain["stores"].items() if s.pk == store_id)
            by_store[code].setdefault(user.role, []).append(user)
    return {
        plan.code: Crew(store=chain["stores"][plan.code], plan=plan, manager=by_store[plan.code][Role.STORE_MANAGER][0],
                        guides=by_store[plan.code][Role.GUIDE], cashiers=by_store[plan.code][Role.CASHIER],
                        account_manager=by_store[plan.code][Role.ACCOUNT_MANAGER][0])
        for plan in STORES
    }


def _tags(rng: random.Random, age: int, gender: str, occupation: str, family: dict) -> list[str]:
    tags = []
    if rng.random() < 0.08 or occupation in ("企业高管", "金融从业者") and rng.random() < 0.5:
        tags.append("高端客户")
    if rng.random() < (0.12 if gender == "F" else 0.04):
        tags.append("珠宝")
    if gender == "F" and rng.random() < 0.35:
        tags.append("美妆")
    if occupation in ("企业高管", "律师", "销售经理", "金融从业者") or rng.random() < 0.05:
        tags.append("商务")
    if any(c.get("birthday") and c["birthday"] > f"{clock.today().year - 14}" for c in family.get("children", [])):
        tags.append("亲子")
    if age >= 60:
        tags.append("老年")
    return tags


def _family(rng: random.Random, people: PeopleFactory, gender: str, born: dt.date, surname: str) -> dict:
    if born.year > clock.today().year - 28 or rng.random() > 0.3:
        return {}
    spouse_gender = "F" if gender == "M" else "M"
    spouse_born = born + dt.timedelta(days=rng.randint(-1500, 1500))
    family = {"spouse": {"name": people.name(spouse_gender, spouse_born.year)[0], "birthday": spouse_born.isoformat()}}
    children = []
    father_surname = surname if gender == "M" else family["spouse"]["name"][0]
    for _ in range(rng.choice((1, 1, 1, 2))):
        child_born = min(born + dt.timedelta(days=rng.randint(24 * 365, 36 * 365)), clock.today() - dt.timedelta(days=30))
        child_gender = rng.choice("MF")
        children.append({"name": father_surname + people.given_name(child_gender, child_born.year), "birthday": child_born.isoformat()})
    family["children"] = children
    return family


def member_data(rng: random.Random, people: PeopleFactory, crew: Crew) -> dict:
    """The file a guide would type in for one new member."""
    gender = "F" if rng.random() < 0.62 else "M"  # department-store shoppers are mostly women
    born = people.birthday()
    name, surname = people.name(gender, born.year)
    age = clock.today().year - born.year
    data: dict = {"name": name, "mobile": people.mobile(), "gender": gender, "birthday": born, "home_store": crew.store}
    r = rng.random()
    if r < 0.12:  # celebrates the lunar birthday (农历生日); some give only that
        lunar = _from_solar(born.year, born.month, born.day)
        data.update(lunar_birth_month=lunar.month, lunar_birth_day=lunar.day, lunar_birth_leap=bool(lunar.isLeapMonth))
        if r < 0.04:
            data["birthday"] = None
    if rng.random() < 0.30 and data["birthday"]:
        data["id_number"] = people.id_number(born, gender, crew.plan.city)
    if rng.random() < 0.35:
        data["email"] = people.email(surname, born)
    if rng.random() < 0.40:
        data["address"] = people.address(crew.plan.city)
    if rng.random() < 0.5:
        data["ethnicity"] = people.ethnicity()
    if rng.random() < 0.6:
        data["clothing_size"], data["shoe_size"] = people.sizes(gender)
    occupation = ""
    if rng.random() < 0.6:
        occupation = "退休" if age >= 60 and rng.random() < 0.7 else "学生" if age < 23 else rng.choice(WORKING)
        data["occupation"] = occupation
    for key, pool, share in (("hobbies", HOBBIES, 0.5), ("style_preferences", STYLES, 0.5), ("consumption_habits", HABITS, 0.4),
                             ("personality", PERSONALITIES, 0.3), ("lifestyle", LIFESTYLES, 0.3), ("values", VALUES, 0.2)):
        if rng.random() < share:
            data[key] = people.pick(pool)
    if rng.random() < 0.4:
        data["preferred_contact"] = rng.choice(ContactPreference.values)
    if rng.random() < 0.4:
        data["promo_receptiveness"] = rng.choice(PromoReceptiveness.values)
    family = _family(rng, people, gender, born, surname)
    if family:
        data["family"] = family
    data["tags"] = _tags(rng, age, gender, occupation, family)
    data["source_channel"] = rng.choices([s for s, _w in SOURCES], weights=[w for _s, w in SOURCES])[0]
    if data["source_channel"] == SourceChannel.REFERRAL and crew.members:
        data["referrer"] = rng.choice(crew.members[-200:])
    if rng.random() < 0.05:
        data["notes"] = rng.choice(("对香水过敏，推荐时注意", "只接受工作日联系", "喜欢提前预留新品", "周末常带孩子来店"))
    return data


def consents_for(rng: random.Random, data: dict) -> dict:
    """Most members accept service notices by SMS; fewer accept marketing."""
    consents: dict = {}
    if rng.random() < 0.9:
        consents[(ConsentPurpose.SERVICE, ConsentChannel.SMS)] = True
    if rng.random() < 0.3:
        consents[(ConsentPurpose.SERVICE, ConsentChannel.PHONE)] = True
    r = rng.random()
    if r < 0.45:
        consents[(ConsentPurpose.MARKETING, ConsentChannel.SMS)] = True
    elif r < 0.6:
        consents[(ConsentPurpose.MARKETING, ConsentChannel.SMS)] = False
    if data.get("email") and rng.random() < 0.4:
        consents[(ConsentPurpose.MARKETING, ConsentChannel.EMAIL)] = True
    if rng.random() < 0.1:
        consents[(ConsentPurpose.MARKETING, ConsentChannel.PHONE)] = True
    return consents


class Loader:
    def __init__(self, *, rng: random.Random, people: PeopleFactory, chain: dict):
        self.rng, self.people = rng, people
        self.crews = crews_for(chain)
        self.stats: Counter = Counter()
        self._legacy: set[str] = set()

    def run(self, count: int) -> Counter:
        plans = list(STORES)
        weights = [p.share for p in STORES]
        enrolled: list[Member] = []
        for _ in range(count):
            crew = self.crews[self.rng.choices(plans, weights=weights)[0].code]
            enrolled.append(self.member(crew))
        self._backdate(enrolled)
        return self.stats

    def member(self, crew: Crew) -> Member:
        rng = self.rng
        data = member_data(rng, self.people, crew)
        owner = crew.owner(rng)
        actor = owner
        if rng.random() < 0.15:  # enrolled at the till by a cashier, on behalf of the member's guide
            actor, data["owner"] = rng.choice(crew.cashiers), owner
        source = ConsentSource.PAPER if rng.random() < 0.3 else ConsentSource.CONSOLE
        member = member_enrol(actor=actor, data=data, consents=consents_for(rng, data), source=source)
        crew.members.append(member)
        self.stats["members"] += 1
        self.cards(crew, member, owner)
        if rng.random() < 0.006:
            member_withdraw(actor=crew.manager, member=member, reason="顾客申请退会")
            self.stats["withdrawn"] += 1
        return member

    def _legacy_number(self) -> str:
        while True:
            number = "62" + "".join(str(self.rng.randrange(10)) for _ in range(14))  # the old system's 16-digit magstripe cards
            if number not in self._legacy:
                self._legacy.add(number)
                return number

    def cards(self, crew: Crew, member: Member, owner: Staff) -> None:
        rng = self.rng
        r = rng.random()
        plan = next(p for p, upto in CARD_PLANS if r < upto)
        self.stats[f"plan_{plan}"] += 1
        if plan == "none":
            return
        if plan == "pending":  # a guide applied; the manager has not approved yet
            card_services.card_apply(actor=owner, member=member, media=rng.choice((CardMedia.BARCODE, CardMedia.IC)))
            return
        if plan == "legacy":
            card = card_services.card_migrate_legacy(actor=crew.manager, member=member, legacy_number=self._legacy_number(),
                                                     media=rng.choice((CardMedia.BARCODE, CardMedia.IC)))
        else:
            card = card_services.card_issue(actor=crew.manager, member=member, media=plan)
        self.life(crew, member, card, owner)

    def life(self, crew: Crew, member: Member, card: Card, owner: Staff) -> None:
        """A few cards have a story: frozen, lost, replaced after an identity check, invalid, a family card."""
        rng = self.rng
        e = rng.random()
        if e < 0.02:
            card_services.card_change_status(actor=owner, card=card, move="freeze", reason="顾客要求临时冻结")
            self.stats["frozen"] += 1
        elif e < 0.035:
            card_services.card_change_status(actor=owner, card=card, move="report_lost", reason="顾客来电挂失")
            self.stats["lost"] += 1
        elif e < 0.055:
            card = card_services.card_change_status(actor=owner, card=card, move="report_lost", reason="顾客来电挂失")
            card_services.card_replace_lost(actor=owner, card=card, facts={"name": member.name, "mobile": member.mobile})
            self.stats["replaced"] += 1
        elif e < 0.062:
            card_services.card_change_status(actor=crew.manager, card=card, move="invalidate", reason="卡面损坏，已回收")
            self.stats["invalid"] += 1
        elif e < 0.092:
            family = member.family or {}
            holder = (family.get("spouse") or {}).get("name") or self.people.name(rng.choice("MF"))[0]
            by = crew.manager if rng.random() < 0.8 else owner  # a guide's request waits for approval
            card_services.card_add_supplementary(actor=by, principal=card, holder_name=holder,
                                                 holder_mobile=self.people.mobile() if rng.random() < 0.6 else "")
            self.stats["supplementary"] += 1

    def _backdate(self, members: list[Member]) -> None:
        """Spread enrolment over the years since the programme started, in store opening hours.

        The services stamp "now"; a demo where every member joined today would make every
        new-member figure and chart meaningless, so enrolment and issue times are moved back.
        """
        if not members:
            return
        now = timezone.now()
        span = (now - FIRST_ENROLMENT).days - 1
        days = sorted(self.rng.randrange(span) for _ in members)
        for member, day in zip(members, days):
            minutes = self.rng.randrange(10 * 60, 21 * 60 + 30)
            member.enrolled_at = FIRST_ENROLMENT + dt.timedelta(days=day, minutes=minutes)
        Member.objects.bulk_update(members, ["enrolled_at"], batch_size=500)
        Card.objects.filter(member__home_store__code__in=STORE_CODES, issued_at__isnull=False).update(
            issued_at=Subquery(Member.objects.filter(pk=OuterRef("member_id")).values("enrolled_at")[:1])
        )


def load_members(*, count: int, rng: random.Random, people: PeopleFactory, chain: dict) -> Counter:
    return Loader(rng=rng, people=people, chain=chain).run(count)

