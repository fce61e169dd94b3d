"""Ownership (R10.2): the opener owns, books spread evenly by count or spend, A/B shift pairs share a
book, a leaver's book reassigned — every change in the ownership log."""
from decimal import Decimal

import pytest

from vipdesk.accounts.roles import Role
from vipdesk.care.choices import OwnershipReason
from vipdesk.care.models import CareTask, OwnershipChange
from vipdesk.care.ownership import distribute_store_book, pair_shifts, plan_split, reassign_book
from vipdesk.care.selectors import work_list
from vipdesk.core.errors import PermissionDenied, ValidationFailed
from vipdesk.members.models import Member
from vipdesk.members.services import member_update
from vipdesk.testing.factories import StaffFactory, make_member

from .helpers import D, member, rule, run


@pytest.fixture
def book(store_a, hq):
    """Five members of store A with these spends, enrolled at HQ."""
    people = []
    for name, spend in (("甲", "1000.00"), ("乙", "800.00"), ("丙", "500.00"), ("丁", "400.00"), ("戊", "100.00")):
        m = make_member(actor=hq, store=store_a, name=name)
        Member.objects.filter(pk=m.pk).update(total_spend=Decimal(spend))
        people.append(m)
    return people


def owners(people):
    return [Member.objects.get(pk=m.pk).owner for m in people]


def test_the_opener_owns_a_new_member_and_the_log_says_so(guide_a):
    m = member(guide_a, "王芳")
    assert m.owner == guide_a and m.enrolled_by == guide_a
    change = OwnershipChange.objects.get(member=m)
    assert (change.from_staff, change.to_staff, change.reason, change.actor) == (None, guide_a, OwnershipReason.ENROLMENT, guide_a)


def test_distribute_by_count_round_robin_in_member_order(book, hq, manager_a, guide_a, guide_a2):
    out = distribute_store_book(actor=manager_a, store=book[0].home_store, guides=[guide_a, guide_a2], by="count")
    assert owners(book) == [guide_a, guide_a2, guide_a, guide_a2, guide_a]
    assert [(g["members"], g["spend"]) for g in out["guides"]] == [(3, Decimal("1600.00")), (2, Decimal("1200.00"))]
    changes = OwnershipChange.objects.filter(batch=out["batch"])
    assert out["moved"] == 5 and changes.count() == 5
    assert set(changes.values_list("reason", "actor", "from_staff")) == {(OwnershipReason.DISTRIBUTE, manager_a.pk, hq.pk)}
    # spreading again the same way moves nobody and logs nothing
    again = distribute_store_book(actor=manager_a, store=book[0].home_store, guides=[guide_a, guide_a2], by="count")
    assert again["moved"] == 0 and not OwnershipChange.objects.filter(batch=again["batch"]).exists()


def test_distribute_by_spend_largest_first_to_the_guide_with_least(book, manager_a, guide_a, guide_a2):
    out = distribute_store_book(actor=manager_a, store=book[0].home_store, guides=[guide_a, guide_a2], by="spend")
    # 1000→A, 800→B, 500→B (800<1000), 400→A (1000<1300), 100→B (1300<1400)
    assert owners(book) == [guide_a, guide_a2, guide_a2, guide_a, guide_a2]
    assert [g["spend"] for g in out["guides"]] == [Decimal("1400.00"), Decimal("1400.00")]


def test_plan_split_is_deterministic_and_even():
    members = [(i, Decimal(i * 10)) for i in range(1, 101)]
    plan = plan_split(members, [7, 8, 9], by="spend")
    assert plan == plan_split(list(reversed(members)), [7, 8, 9], by="spend")
    totals = {g: sum(s for m, s in members if plan[m] == g) for g in (7, 8, 9)}
    assert max(totals.values()) - min(totals.values()) <= Decimal("10")
    counts = plan_split(members, [7, 8, 9], by="count")
    assert sorted(list(counts.values()).count(g) for g in (7, 8, 9)) == [33, 33, 34]


def test_only_managers_of_the_store_may_distribute(book, guide_a, store_b, guide_b):
    manager_b = StaffFactory(username="manager_b", role=Role.STORE_MANAGER, stores=[store_b])
    with pytest.raises(PermissionDenied):
        distribute_store_book(actor=guide_a, store=book[0].home_store, guides=[guide_a], by="count")
    with pytest.raises(PermissionDenied):
        distribute_store_book(actor=manager_b, store=book[0].home_store, guides=[guide_a], by="count")
    with pytest.raises(ValidationFailed):  # a guide of another store cannot own store A's members
        distribute_store_book(actor=None, store=book[0].home_store, guides=[guide_b], by="count")


def test_a_leavers_book_goes_to_a_colleague_with_its_open_tasks(manager_a, guide_a, guide_a2):
    rule("birthday-greeting")
    mine = [member(guide_a, "王芳", birthday="1990-09-25"), member(guide_a, "李静")]
    run(D("2026-09-25"))
    out = reassign_book(actor=manager_a, from_staff=guide_a, to_staff=guide_a2, note="离职")
    assert out["moved"] == 2 and owners(mine) == [guide_a2, guide_a2]
    assert CareTask.objects.get(member=mine[0]).owner == guide_a2
    log = OwnershipChange.objects.filter(batch=out["batch"])
    assert set(log.values_list("from_staff", "to_staff", "reason", "note")) == {(guide_a.pk, guide_a2.pk, OwnershipReason.LEAVER, "离职")}


def test_a_leavers_book_spread_over_several_guides(store_a, manager_a, guide_a, guide_a2):
    third = StaffFactory(username="guide_a3", role=Role.GUIDE, stores=[store_a])
    mine = [member(guide_a, f"会员{i}") for i in range(4)]
    reassign_book(actor=manager_a, from_staff=guide_a, guides=[guide_a2, third], by="count")
    assert owners(mine) == [guide_a2, third, guide_a2, third]
    with pytest.raises(ValidationFailed):
        reassign_book(actor=manager_a, from_staff=guide_a2, to_staff=guide_a2)


def test_owner_changed_by_hand_is_logged(hq, guide_a, guide_a2):
    m = member(guide_a, "王芳")
    member_update(actor=hq, member=m, data={"owner": guide_a2.pk})
    change = OwnershipChange.objects.filter(member=m).first()
    assert (change.from_staff, change.to_staff, change.reason) == (guide_a, guide_a2, OwnershipReason.MANUAL)


def test_a_shift_pair_shares_a_book(store_a, manager_a, guide_a, guide_a2):
    """Seed 002: A班1、2 … B班5、6 …; 第一组 1号员工、5号员工; each pair works both books."""
    b1 = StaffFactory(username="b1", role=Role.GUIDE, stores=[store_a])
    b2 = StaffFactory(username="b2", role=Role.GUIDE, stores=[store_a])
    pairs = pair_shifts(actor=manager_a, store=store_a, shift_a=[guide_a, guide_a2], shift_b=[b1, b2])
    assert [(p.position, p.shift_a, p.shift_b) for p in pairs] == [(1, guide_a, b1), (2, guide_a2, b2)]
    rule("birthday-greeting")
    member(guide_a, "王芳", birthday="1990-09-25")
    member(guide_a2, "李静", birthday="1990-09-25")
    run(D("2026-09-25"))
    on = D("2026-09-25")
    assert [t.member.name for t in work_list(b1, on)["pending"]] == ["王芳"]
    assert [t.member.name for t in work_list(guide_a, on)["pending"]] == ["王芳"]
    assert [t.member.name for t in work_list(b2, on)["pending"]] == ["李静"]
    with pytest.raises(ValidationFailed):
        pair_shifts(actor=manager_a, store=store_a, shift_a=[guide_a], shift_b=[b1, b2])
