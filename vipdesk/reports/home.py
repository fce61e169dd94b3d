"""The figures of the console's home page (issue 15 §5): one row per store in the viewer's scope and
their totals — today's sales and the members' share of them, members enrolled today, care tasks due
today and overdue, birthdays in the coming week, open complaints and cards awaiting approval.

Every figure is one aggregate query grouped by store (never a loop over members), scoped the way the
pages behind it are: sales and complaints by the stores one works in, members by the member scope,
care tasks by `care.selectors.tasks_for`. A guide or an account manager sees his own: the care tasks
of his book and the birthdays of the members he owns. Nothing here writes.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from vipdesk.accounts.roles import Action, Role, can
from vipdesk.accounts.scoping import store_ids_in_scope
from vipdesk.care.choices import PENDING
from vipdesk.care.selectors import tasks_for
from vipdesk.core import clock
from vipdesk.feedback.choices import ComplaintStatus
from vipdesk.feedback.selectors import complaints_for
from vipdesk.members.choices import CardStatus, MemberStatus
from vipdesk.members.models import Card, Member
from vipdesk.org.models import Store
from vipdesk.sales.choices import SaleKind
from vipdesk.sales.models import Sale

BIRTHDAY_DAYS = 7  # today and the six days after it
OPEN_COMPLAINTS = (ComplaintStatus.OPEN, ComplaintStatus.IN_PROGRESS)
ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))
FIGURES = ("sales", "member_sales", "new_members", "care_due", "care_overdue", "birthdays", "complaints", "pending_cards")


@dataclass
class StoreFigures:
    store_id: int | None
    code: str = ""
    name: str = ""
    sales: Decimal = Decimal("0.00")          # today's sale receipts (returns not deducted)
    member_sales: Decimal = Decimal("0.00")   # of which receipts credited to a member
    new_members: int = 0                      # members enrolled today with this home store
    care_due: int | None = 0                  # open care tasks due today (None: the role does no care work)
    care_overdue: int | None = 0              # open care tasks due before today
    birthdays: int = 0                        # active members whose birthday falls in the coming week
    complaints: int = 0                       # complaints open or in progress
    pending_cards: int = 0                    # cards issued and awaiting a supervisor's approval

    @property
    def member_share(self) -> Decimal | None:
        """Members' share of the day's sales, in per cent to one decimal (None without sales)."""
        if not self.sales:
            return None
        return (self.member_sales * 100 / self.sales).quantize(Decimal("0.1"))


@dataclass
class HomeFigures:
    on: dt.date
    stores: list[StoreFigures] = field(default_factory=list)
    totals: StoreFigures = field(default_factory=lambda: StoreFigures(None))
    own_book: bool = False       # care tasks and birthdays are the viewer's own (guide, account manager)
    care: bool = True            # the role works care tasks at all
    birthday_until: dt.date | None = None


def _own_book(user) -> bool:
    return getattr(user, "role", None) in (Role.GUIDE, Role.ACCOUNT_MANAGER) and not getattr(user, "is_superuser", False)


def _day_bounds(on: dt.date):
    tz = clock.store_tz()
    start = dt.datetime.combine(on, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def _birthday_q(on: dt.date, days: int) -> Q:
    q = Q()
    for offset in range(days):
        day = on + dt.timedelta(days=offset)
        q |= Q(birthday__month=day.month, birthday__day=day.day)
        if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
            q |= Q(birthday__month=2, birthday__day=29)  # born on 29 February: celebrated on the 28th in other years
    return q


def _by_store(rows, key: str) -> dict:
    return {row[key]: row for row in rows}


def home_figures(user, on: dt.date | None = None) -> HomeFigures:
    """The home page's figures for `user`, one row per store, totals last."""
    on = on or clock.today()
    store_ids = store_ids_in_scope(user)
    own_book = _own_book(user)
    members = Member.objects.restrict(user, Action.VIEW)

    sales = Sale.objects.filter(kind=SaleKind.SALE, business_date=on)
    if store_ids is not None:
        sales = sales.filter(store_id__in=store_ids)
    sales_rows = _by_store(sales.values("store_id").annotate(
        total=Coalesce(Sum("amount"), ZERO), members=Coalesce(Sum("amount", filter=Q(member__isnull=False)), ZERO)).order_by(), "store_id")

    start, end = _day_bounds(on)
    new_rows = _by_store(members.filter(enrolled_at__gte=start, enrolled_at__lt=end)
                         .values("home_store_id").annotate(n=Count("id")).order_by(), "home_store_id")

    care = can(user, Action.CARE_WORK)
    care_rows = {}
    if care:
        tasks = tasks_for(user).filter(status__in=PENDING, due_on__lte=on)
        if store_ids is not None and not own_book:
            tasks = tasks.filter(store_id__in=store_ids)
        care_rows = _by_store(tasks.values("store_id").annotate(
            due=Count("id", filter=Q(due_on=on)), overdue=Count("id", filter=Q(due_on__lt=on))).order_by(), "store_id")

    birthday_members = members.filter(status=MemberStatus.ACTIVE).filter(_birthday_q(on, BIRTHDAY_DAYS))
    if own_book:
        birthday_members = birthday_members.filter(owner_id=user.pk)
    birthday_rows = _by_store(birthday_members.values("home_store_id").annotate(n=Count("id")).order_by(), "home_store_id")

    complaint_rows = _by_store(complaints_for(user).filter(status__in=OPEN_COMPLAINTS)
                               .values("store_id").annotate(n=Count("id")).order_by(), "store_id")

    card_rows = _by_store(Card.objects.filter(status=CardStatus.PENDING, member__in=members.values("pk"))
                          .values("member__home_store_id").annotate(n=Count("id")).order_by(), "member__home_store_id")

    ids = set(store_ids) if store_ids is not None else set(Store.objects.filter(active=True).values_list("pk", flat=True))
    for rows in (sales_rows, new_rows, care_rows, birthday_rows, complaint_rows, card_rows):
        ids |= set(rows)
    figures = HomeFigures(on=on, own_book=own_book, care=care, birthday_until=on + dt.timedelta(days=BIRTHDAY_DAYS - 1))
    for store in Store.objects.filter(pk__in=ids).order_by("code"):
        pk = store.pk
        figures.stores.append(StoreFigures(
            store_id=pk, code=store.code, name=store.name,
            sales=sales_rows.get(pk, {}).get("total", Decimal("0.00")),
            member_sales=sales_rows.get(pk, {}).get("members", Decimal("0.00")),
            new_members=new_rows.get(pk, {}).get("n", 0),
            care_due=care_rows.get(pk, {}).get("due", 0) if care else None,
            care_overdue=care_rows.get(pk, {}).get("overdue", 0) if care else None,
            birthdays=birthday_rows.get(pk, {}).get("n", 0),
            complaints=complaint_rows.get(pk, {}).get("n", 0),
            pending_cards=card_rows.get(pk, {}).get("n", 0),
        ))
    totals = figures.totals
    for row in figures.stores:
        for name in FIGURES:
            value = getattr(row, name)
            if value is not None:
                setattr(totals, name, (getattr(totals, name) or 0) + value)
    if not care:
        totals.care_due = totals.care_overdue = None
    return figures
