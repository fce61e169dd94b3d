import pytest

from vipdesk.webhooks.models import Subscription
from vipdesk.webhooks.services import subscription_create

from .receiver import Receiver


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


@pytest.fixture
def subscribe(hq, receiver, settings):
    settings.VIPDESK = {**settings.VIPDESK, "WEBHOOK_DELIVER_ON_COMMIT": False, "WEBHOOK_TIMEOUT_SECONDS": 0.5}

    def make(events=("member.created", "member.updated", "member.withdrawn"), name="ERP", url=None):
        existing = Subscription.objects.filter(name=name).first()
        if existing is not None:  # asked for twice in one test (a fixture and the test): the same one
            return existing
        sub = subscription_create(actor=hq, data={"name": name, "url": url or receiver.url, "events": list(events),
                                                  "integrator": "FL ERP"})
        receiver.secret = sub.secret
        return sub

    return make
