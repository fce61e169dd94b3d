"""Configuration kept per process under a version every write bumps (core.confcache, issue 17 §1):
the triggers on every watched table, what bumps and what does not, rollbacks, a second connection
and a second process."""
import json
import os
import subprocess
import sys
import threading
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.db import connection, connections, transaction

from vipdesk.core import confcache
from vipdesk.core.confcache import WATCHED, cached, snapshot, trigger_names, version
from vipdesk.coupons.models import Campaign
from vipdesk.pricing.models import MemberDay, PricingPolicy
from vipdesk.pricing.selectors import policy as pricing_policy


def triggers_in_database() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_every_watched_table_has_its_triggers_and_every_group_a_version():
    from django.apps import apps

    present = triggers_in_database()
    assert {"tiers", "points", "coupons", "pricing", "care", "wallet"} <= {group for group, _skip in WATCHED.values()}
    for label in WATCHED:
        table = apps.get_model(label)._meta.db_table
        assert set(trigger_names(table, connection.vendor)) <= present, f"{label}: no version trigger"
    for group in {group for group, _skip in WATCHED.values()}:
        assert version(group) is not None


@pytest.mark.django_db
def test_each_kind_of_write_bumps_the_version_and_a_campaigns_issued_count_does_not():
    seen = [version("pricing")]

    def bumped() -> bool:
        seen.append(version("pricing"))
        return seen[-1] != seen[-2]

    day = MemberDay.objects.create(name="周三", weekdays=[3], points_multiplier=D("2"))
    assert bumped()  # INSERT
    day.name = "周三会员日"
    day.save()
    assert bumped()  # UPDATE by save()
    MemberDay.objects.filter(pk=day.pk).update(discount_zhe=D("9.5"))
    assert bumped()  # QuerySet.update(): no signal, still a new version
    with connection.cursor() as cursor:
        cursor.execute("UPDATE pricing_memberday SET active = %s", [False])
    assert bumped()  # raw SQL
    MemberDay.objects.filter(pk=day.pk).delete()
    assert bumped()  # DELETE

    campaign = Campaign.objects.create(code="A1", name="满300送60", kind="voucher", face_value=D("60.00"))
    before = version("coupons")
    Campaign.objects.filter(pk=campaign.pk).update(issued_count=5)  # issuing counts, it does not configure
    assert version("coupons") == before
    Campaign.objects.filter(pk=campaign.pk).update(face_value=D("50.00"))
    assert version("coupons") != before


@pytest.mark.django_db
def test_cached_loads_once_until_a_write_and_a_rolled_back_write_leaves_no_trace():
    calls = []

    def loader():
        calls.append(1)
        return sorted(MemberDay.objects.values_list("name", flat=True))

    assert cached("pricing", "test-names", loader) == [] and cached("pricing", "test-names", loader) == []
    assert len(calls) == 1
    MemberDay.objects.create(name="逢3", month_days=[3], discount_zhe=D("9.5"))
    assert cached("pricing", "test-names", loader) == ["逢3"] and len(calls) == 2
    with pytest.raises(RuntimeError), transaction.atomic():
        MemberDay.objects.create(name="作废", month_days=[5], discount_zhe=D("9.0"))
        assert cached("pricing", "test-names", loader) == ["作废", "逢3"]  # the transaction sees its own change
        raise RuntimeError("roll back")
    # back to the version before: what was kept under it is what the database holds again
    assert cached("pricing", "test-names", loader) == ["逢3"]
    assert cached("pricing", "test-names", loader) == ["逢3"] and len(calls) == 4


@pytest.mark.django_db
def test_a_snapshot_reads_every_version_with_one_statement(django_assert_num_queries):
    cached("pricing", "test-one", lambda: 1)
    cached("points", "test-two", lambda: 2)
    with django_assert_num_queries(1), snapshot():
        assert cached("pricing", "test-one", lambda: 0) == 1
        assert cached("points", "test-two", lambda: 0) == 2
        with snapshot():  # nested: the outer one's versions
            assert version("pricing") is not None


@pytest.mark.django_db
def test_a_policy_row_handed_out_is_a_copy():
    pol = pricing_policy()
    pol.quote_minutes = 99  # a caller's change, never saved
    assert pricing_policy().quote_minutes == 15


@pytest.mark.django_db
def test_no_version_row_keeps_nothing():
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_configversion WHERE name = 'pricing'")
    calls = []
    cached("pricing", "test-absent", lambda: calls.append(1))
    cached("pricing", "test-absent", lambda: calls.append(1))
    assert len(calls) == 2


@pytest.mark.django_db(transaction=True)
def test_another_connection_sees_the_committed_bump_and_not_the_uncommitted_one():
    from vipdesk.core.confcache import install_triggers

    install_triggers()  # a flushed database: triggers kept, version rows back
    other = {}

    def read(key):
        def run():
            try:
                other[key] = version("pricing")
            finally:
                connections.close_all()
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()

    read("before")
    assert other["before"] == version("pricing")
    if connection.vendor == "postgresql":  # SQLite has one writer and readers that wait for it: no open write here
        with transaction.atomic():
            MemberDay.objects.create(name="周三", weekdays=[3], points_multiplier=D("2"))
            read("during")
        assert other["during"] == other["before"]  # not committed: the old version, the old rows
    else:
        MemberDay.objects.create(name="周三", weekdays=[3], points_multiplier=D("2"))
    read("after")
    assert other["after"] == version("pricing") != other["before"]


CHILD = r"""
import json, sys
import django
django.setup()
from vipdesk.core import confcache
from vipdesk.pricing.selectors import policy
for line in sys.stdin:
    minutes = policy().quote_minutes
    print(json.dumps({"minutes": minutes, "version": confcache.version("pricing"), **confcache.stats}), flush=True)
"""


@pytest.mark.pgonly
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second process needs a database it can open: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_second_process_keeps_the_policy_and_loads_it_again_after_a_committed_change(hq):
    from vipdesk.core.confcache import install_triggers
    from vipdesk.pricing.config import pricing_policy_save

    install_triggers()
    pricing_policy()
    s = connection.settings_dict
    url = f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings")
    root = Path(__file__).resolve().parents[3]
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=root)
    try:
        def ask() -> dict:
            child.stdin.write("?\n")
            child.stdin.flush()
            return json.loads(child.stdout.readline())

        first, second = ask(), ask()
        assert first["minutes"] == second["minutes"] == 15
        assert second["loads"] == first["loads"] and second["hits"] == first["hits"] + 1  # kept: no read of the policy
        pricing_policy_save(actor=hq, data={"quote_minutes": 20})  # committed (transactional test)
        third = ask()
        assert third["minutes"] == 20 and third["version"] == version("pricing") != second["version"]
        assert third["loads"] == second["loads"] + 1
    finally:
        child.stdin.close()
        child.wait(timeout=30)
    assert PricingPolicy.objects.get().quote_minutes == 20
    confcache.forget()
