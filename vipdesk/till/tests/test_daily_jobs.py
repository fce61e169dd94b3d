"""The daily jobs over real postings: each part once per business date; dormant cards (R2.6)."""
import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from vipdesk.members.cards import card_issue
from vipdesk.members.models import Card
from vipdesk.scheduler import registry
from vipdesk.scheduler.registry import swap_part
from vipdesk.core.dates import months_before
from vipdesk.members.dormancy import dormant_cards_flag
from vipdesk.members.models import DormantCard
from vipdesk.scheduler.models import JobRun
from vipdesk.scheduler.runs import run_jobs
from vipdesk.till.services import sale_post
from vipdesk.testing.factories import make_member

from .conftest import a_sale

pytestmark = pytest.mark.django_db


def test_months_before_clamps_to_the_month_end():
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 1, 15), 12) == dt.date(2025, 1, 15)
    assert months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)


@pytest.fixture
def counted(monkeypatch):
    calls = []
    swap_part(monkeypatch, "points", lambda *, on: calls.append(("points", on)) or {"expired": 3})
    swap_part(monkeypatch, "tiers", lambda *, on: calls.append(("tiers", on)) or {"downgraded": 1})
    return calls


def test_each_part_runs_once_per_business_date_in_order(counted):
    day = dt.date(2026, 5, 1)
    first = run_jobs(on=day)
    assert list(first)[:3] == ["dormant_cards", "points", "tiers"] and list(first) == registry.names()
    assert first["points"] == {"expired": 3}
    assert run_jobs(on=day) == dict.fromkeys(registry.names())
    assert counted == [("points", day), ("tiers", day)]
    run_jobs(on=day + dt.timedelta(days=1))
    assert len(counted) == 4 and JobRun.objects.count() == 2 * len(registry.names())


def test_a_failing_part_leaves_no_claim_and_runs_again(counted, monkeypatch):
    def broken(*, on):
        raise RuntimeError("boom")

    swap_part(monkeypatch, "tiers", broken)
    with pytest.raises(RuntimeError):
        run_jobs(on=dt.date(2026, 5, 1))
    assert sorted(JobRun.objects.values_list("job", flat=True)) == ["dormant_cards", "points"]


def test_command_defaults_to_today_and_reports(counted, capsys):
    call_command("run-jobs")
    call_command("run_jobs", "--date", "2026-05-01", "--only", "points")
    out = capsys.readouterr().out
    assert "dormant_cards" in out and '"expired": 3' in out
    assert counted[0][1] == timezone.localdate()


def _card(store, issued_days_ago):
    member = make_member(store=store)
    card = card_issue(actor=None, member=member)
    Card.objects.filter(pk=card.pk).update(issued_at=timezone.now() - dt.timedelta(days=issued_days_ago))
    return member, card


def test_cards_without_purchases_for_n_months_become_dormant_and_wake_on_a_purchase(store_a, loyalty, settings):
    settings.VIPDESK = {**settings.VIPDESK, "DORMANT_MONTHS": 6}
    today = timezone.localdate()
    sleeper, sleeper_card = _card(store_a, 400)
    buyer, buyer_card = _card(store_a, 400)
    _newcomer, newcomer_card = _card(store_a, 30)  # too new to be dormant
    sale_post(actor=None, data=a_sale("OLD", member={"member_no": sleeper.member_no},
                                      occurred_at=(timezone.now() - dt.timedelta(days=300)).isoformat()))
    sale_post(actor=None, data=a_sale("NEW", member={"member_no": buyer.member_no}))

    assert dormant_cards_flag(on=today)["flagged"] == 1
    dormant = DormantCard.objects.get()
    assert dormant.card == sleeper_card and dormant.since == today
    assert dormant.last_purchase_on == (timezone.localdate() - dt.timedelta(days=300))
    assert dormant_cards_flag(on=today) == {"flagged": 0, "woke": 0, "cutoff": months_before(today, 6).isoformat()}

    sale_post(actor=None, data=a_sale("BACK", member={"card": sleeper_card.number}))
    assert dormant_cards_flag(on=today)["woke"] == 1
    assert not DormantCard.objects.exists()


def test_run_jobs_with_the_real_points_and_tiers_jobs(store_a, shopper):
    from vipdesk.points.services import earn_rule_install_default
    from vipdesk.tiers.presets import DEPARTMENT_STORE
    from vipdesk.tiers.config import programme_install

    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)
    sale_post(actor=None, data=a_sale(member={"mobile": "13612345678"}))
    day = timezone.localdate()
    first = run_jobs(on=day)
    assert all(isinstance(first[name], dict) for name in ("points", "tiers", "dormant_cards"))
    assert run_jobs(on=day) == dict.fromkeys(registry.names())


class _Watched:
    """A stdout that notes, for each line written, which parts had committed at that moment, and flushes."""

    def __init__(self):
        self.lines, self.flushed = [], 0

    def write(self, text):
        for line in text.splitlines():
            self.lines.append((line, set(JobRun.objects.filter(date=dt.date(2026, 5, 1)).values_list("job", flat=True))))

    def flush(self):
        self.flushed += 1


def test_run_jobs_prints_each_part_as_it_commits_before_the_next_runs():
    """Issue 13 §16: a part killed half-way must not hide the parts that committed before it."""
    out = _Watched()
    call_command("run-jobs", "--date", "2026-05-01", stdout=out)
    names = registry.names()
    assert [line.split(":")[0] for line, _done in out.lines] == [f"2026-05-01 {name}" for name in names]
    for n, (_line, done) in enumerate(out.lines):
        assert done == set(names[: n + 1]), f"when {names[n]} was printed, {sorted(done)} had committed"
    assert out.flushed >= len(names)


def test_a_part_that_fails_leaves_the_parts_before_it_printed(counted, monkeypatch):
    def broken(*, on):
        raise RuntimeError("boom")

    swap_part(monkeypatch, "tiers", broken)
    out = _Watched()
    with pytest.raises(RuntimeError):
        call_command("run-jobs", "--date", "2026-05-01", stdout=out)
    assert [line.split(":")[0] for line, _done in out.lines] == ["2026-05-01 dormant_cards", "2026-05-01 points"]
