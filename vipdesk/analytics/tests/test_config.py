"""Changing the classification settings through analytics.config: HQ only, every field checked, the
settings checked together, all or nothing, audited, and used by the next snapshot."""
import datetime as dt
from decimal import Decimal as D

import pytest

from vipdesk.analytics.classify import policy, snapshot_take
from vipdesk.analytics.config import POLICY_FIELDS, classification_policy_save
from vipdesk.analytics.models import ClassificationPolicy, MemberSnapshot
from vipdesk.audit.models import Event
from vipdesk.core.errors import PermissionDenied, ValidationFailed

from .helpers import buy, member

pytestmark = pytest.mark.django_db


def current():
    pol = ClassificationPolicy.objects.get()
    return {k: getattr(pol, k) for k in POLICY_FIELDS}


def test_hq_changes_settings_and_the_change_is_audited(hq):
    pol = classification_policy_save(actor=hq, data={"svip_pct": "15", "rfm_bins": "4", "rfm_split": "middle", "spend_a": "30000"})
    assert (pol.svip_pct, pol.rfm_bins, pol.rfm_split, pol.spend_a) == (D("15.00"), 4, "middle", D("30000.00"))
    assert pol.abc_a_spend == D("10000.00")                            # keys not given keep their value
    event = Event.objects.get(verb="analytics.policy_update")
    assert event.actor == hq and event.payload["before"] == {"svip_pct": "10.00", "rfm_bins": 5, "rfm_split": "mean",
                                                             "spend_a": "20000.00"}
    assert event.payload["after"]["svip_pct"] == "15.00"


@pytest.mark.parametrize("who", ["manager_a", "guide_a", "auditor"])
def test_only_hq(request, who):
    policy()
    with pytest.raises(PermissionDenied):
        classification_policy_save(actor=request.getfixturevalue(who), data={"svip_pct": "20"})
    with pytest.raises(PermissionDenied):
        classification_policy_save(actor=None, data={"svip_pct": "20"})
    assert ClassificationPolicy.objects.get().svip_pct == D("10.00")


@pytest.mark.parametrize("data, field", [
    ({"svip_pct": "100.01"}, "svip_pct"),
    ({"svip_pct": "-1"}, "svip_pct"),
    ({"svip_pct": 12.5}, "svip_pct"),                                  # never floats
    ({"rfm_bins": "11"}, "rfm_bins"),
    ({"rfm_window_months": "0"}, "rfm_window_months"),
    ({"rfm_split": "median"}, "rfm_split"),
    ({"abc_a_spend": "1.234"}, "abc_a_spend"),
    ({"abc_a_visits": "1"}, "abc_a_visits"),                           # below B's 2
    ({"abc_b_spend": "10000.01"}, "abc_a_spend"),                      # B above A
    ({"pyramid_platinum_pct": "6"}, "pyramid_gold_pct"),
    ({"pyramid_iron_pct": "4"}, "pyramid_iron_pct"),
    ({"spend_c": "5000.01"}, "spend_c"),
    ({"spend_a": "4999"}, "spend_b"),
    ({"about_to_churn_months": "12"}, "about_to_churn_months"),        # dormant is 12 months: never reached
    ({"churned_months": "12"}, "churned_months"),
    ({"snapshot_daily_days": "0"}, "snapshot_daily_days"),
    ({"colour": "red"}, "colour"),
])
def test_bad_settings_change_nothing(hq, data, field):
    policy()
    before = current()
    with pytest.raises(ValidationFailed) as exc:
        classification_policy_save(actor=hq, data={"svip_pct": "20", **data})
    assert field in exc.value.fields
    assert current() == before and not Event.objects.exists()


def test_the_next_snapshot_uses_the_new_settings(store_a, hq):
    on = dt.date(2026, 6, 30)
    m = member(store_a)
    for day in ("2026-05-01", "2026-06-01"):
        buy(m, dt.date.fromisoformat(day), "6000.00")
    snapshot_take(on=on)
    assert MemberSnapshot.objects.get(member=m, date=on).abc_class == "B"   # 2 days, 12,000: A needs 4 days
    classification_policy_save(actor=hq, data={"abc_a_visits": "2"})
    assert MemberSnapshot.objects.get(member=m, date=on).abc_class == "B"   # a snapshot taken stays as it was
    snapshot_take(on=on)
    assert MemberSnapshot.objects.get(member=m, date=on).abc_class == "A"
