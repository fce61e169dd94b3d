"""Issue 15, wording and numbers: what a clerk reads on the console (consents, counts, formats)."""
import pytest
from django.urls import reverse

from vipdesk.members.models import Consent

pytestmark = pytest.mark.django_db


def _cell(page: str, purpose: str, channel: str) -> str:
    return page[page.index(f'id="consent-{purpose}-{channel}"'):][:700]


def test_a_consent_never_given_reads_not_agreed_and_a_withdrawn_one_withdrawn(login, guide_a, member_a):
    client = login(guide_a)
    url = reverse("console:consent_set", args=[member_a.pk])
    client.post(url, {"purpose": "marketing", "channel": "sms", "granted": "0"})  # asked, said no
    client.post(url, {"purpose": "marketing", "channel": "email", "granted": "1"})
    client.post(url, {"purpose": "marketing", "channel": "email", "granted": "0"})  # said yes, then no
    assert Consent.objects.filter(member=member_a).count() == 3
    page = client.get(reverse("console:member_detail", args=[member_a.pk])).content.decode()
    refused = _cell(page, "marketing", "sms")
    assert "未同意" in refused and "已撤回" not in refused and "badge-bad" not in refused
    withdrawn = _cell(page, "marketing", "email")
    assert "已撤回" in withdrawn and "badge-bad" in withdrawn
