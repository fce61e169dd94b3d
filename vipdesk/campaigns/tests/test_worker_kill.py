"""A campaign worker killed mid-way (a real OS process, SIGKILL) and started again sends each message
once (issue 18, "Done means").

The worker is a separate Python process (`vipdesk shell -c`, the every-minute run for minute after
minute) on the same PostgreSQL test database. To kill it inside a hand-over — its outbox rows
written, the campaign's bookkeeping not yet — this test holds a lock on the first campaign row of
the worker's next batch from a connection of its own: the worker writes that minute's outbox rows,
then waits on the lock inside its transaction; the test sees it waiting, SIGKILLs it, lets go of the
lock, checks that nothing of the dead transaction remains, and starts a new worker that finishes
the campaign."""
import os
import select
import signal
import subprocess
import sys
import textwrap
import time

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from vipdesk.campaigns.choices import CampaignStatus, Group
from vipdesk.campaigns.models import CampaignMember
from vipdesk.campaigns.services import campaigns_run
from vipdesk.messaging.models import OutboxMessage
from vipdesk.testing.concurrency import lock_waiters

from .test_concurrency import _each_once, campaign  # noqa: F401 — the fixture: 60 members, 7 a minute, scheduled now

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.pgonly,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a worker process shares the PostgreSQL test database"),
]

WORKER = textwrap.dedent("""
    import datetime as dt
    from vipdesk.campaigns.services import campaigns_run
    start = dt.datetime.fromisoformat(%r)
    for minute in range(%d, 15):
        print(minute, campaigns_run(start + dt.timedelta(minutes=minute))["handed"], flush=True)
""")


def _url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _worker(tmp_path, start, first_minute: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "PYTEST_CURRENT_TEST")}
    env.update(DATABASE_URL=_url(), VIPDESK_DATA_DIR=str(tmp_path))
    return subprocess.Popen([sys.executable, "-m", "vipdesk.cli", "shell", "-v", "0", "-c", WORKER % (start.isoformat(), first_minute)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _line(process: subprocess.Popen, seconds: float = 120) -> str:
    ready, _w, _x = select.select([process.stdout], [], [], seconds)
    assert ready, "the worker said nothing"
    return process.stdout.readline().strip()


def _until(condition, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)  # polling the database's lock table, not standing in for an event


def _outbox(c):
    return OutboxMessage.objects.filter(source__startswith=f"campaign:{c.pk}:")


def test_a_worker_killed_inside_its_hand_over_and_restarted_sends_each_message_once(campaign, tmp_path):  # noqa: F811
    start = timezone.now()
    campaigns_run(start)  # minute 0: selected, the first 7 handed over
    targets = list(CampaignMember.objects.filter(campaign=campaign, group=Group.TARGET).order_by("id").values_list("pk", flat=True))
    assert len(targets) > 21
    holder = psycopg.connect(_url())
    holder.execute("SELECT id FROM campaigns_campaignmember WHERE id = %s FOR UPDATE", [targets[14]])  # minute 2's first row
    worker = _worker(tmp_path, start, 1)
    try:
        assert _line(worker) == "1 7"  # minute 1 committed
        _until(lambda: lock_waiters() >= 1)  # minute 2: its outbox rows written, waiting to record them
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(30)
        holder.rollback()
        holder.close()
    assert worker.returncode == -signal.SIGKILL
    assert _outbox(campaign).count() == 14  # minutes 0 and 1; minute 2's rows died with the worker
    assert CampaignMember.objects.filter(campaign=campaign, handed_at__isnull=False).count() == 14
    again = _worker(tmp_path, start, 2)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert out.split("\n")[0] == "2 7"  # minute 2 done again, whole
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.FINISHED
    _each_once(campaign)
