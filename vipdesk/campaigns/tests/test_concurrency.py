"""Two campaign runs at once on PostgreSQL (real threads, real transactions): the selection and the
hand-over write each member once, and a run that dies inside its hand-over (its session killed by
the server) leaves nothing behind: the next run hands each member over once."""
import collections
import datetime as dt
import threading

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from vipdesk.analytics.segments import segment_create
from vipdesk.campaigns.choices import CampaignStatus, Group
from vipdesk.campaigns.models import CampaignMember
from vipdesk.campaigns.services import campaign_hand_over, campaign_save, campaign_schedule, campaigns_run
from vipdesk.messaging.models import OutboxMessage
from vipdesk.testing.concurrency import race
from vipdesk.testing.factories import make_member

from .helpers import grant

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.pgonly,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"),
]


@pytest.fixture
def campaign(store_a, hq, template):
    for i in range(60):
        grant(make_member(store=store_a, name=f"会员{i:02d}"))
    segment = segment_create(actor=hq, data={"name": "A店", "definition": {"stores": ["SA01"]}})
    c = campaign_save(actor=hq, data={"name": "并发", "template": "weekend_vip", "channel": "sms", "audience": "segment",
                                      "segment": segment.pk, "throttle": 7, "control_percent": 10})
    campaign_schedule(actor=hq, campaign=c, now=timezone.now())
    return c


def _each_once(c):
    rows = CampaignMember.objects.filter(campaign=c)
    assert rows.count() == 60
    per_member = collections.Counter(OutboxMessage.objects.filter(source__startswith=f"campaign:{c.pk}:").values_list("member_id", flat=True))
    target = set(rows.filter(group=Group.TARGET).values_list("member_id", flat=True))
    assert set(per_member) == target and set(per_member.values()) == {1}


def test_two_runs_at_once_hand_each_member_over_once(campaign):
    start = timezone.now()

    def runner(i):
        for minute in range(12):
            campaigns_run(start + dt.timedelta(minutes=minute))

    assert [e for _r, e in race(2, runner)] == [None, None]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.FINISHED
    _each_once(campaign)


def test_a_run_killed_inside_its_hand_over_is_undone_and_the_next_run_sends_once(campaign):
    start = timezone.now()
    campaigns_run(start)  # selected, the first 7 handed over
    handed = OutboxMessage.objects.filter(source__startswith=f"campaign:{campaign.pk}:").count()
    inside, died = threading.Event(), []

    def dying_run():
        try:
            with transaction.atomic():  # the run's hand-over writes its outbox rows, then dies before committing
                died.append(campaign_hand_over(campaign.pk, now=start + dt.timedelta(minutes=1)))
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_backend_pid()")
                    died.append(cur.fetchone()[0])
                inside.set()
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_sleep(30)")  # killed by the server meanwhile
        except OperationalError:
            died.append("killed")
        finally:
            connections.close_all()

    worker = threading.Thread(target=dying_run)
    worker.start()
    assert inside.wait(30)
    with connection.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s)", [died[1]])
    worker.join(30)
    assert died[0] == 7 and died[-1] == "killed"  # it had handed 7 over when it died
    assert OutboxMessage.objects.filter(source__startswith=f"campaign:{campaign.pk}:").count() == handed
    for minute in range(1, 12):
        campaigns_run(start + dt.timedelta(minutes=minute))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.FINISHED
    _each_once(campaign)
