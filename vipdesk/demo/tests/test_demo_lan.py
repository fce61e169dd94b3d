"""`vipdesk demo` on the LAN: it prints the address a tablet opens and allows it (ALLOWED_HOSTS)."""
from io import StringIO

from django.conf import settings

from vipdesk.demo.management.commands import demo as command


def test_serving_on_all_interfaces_prints_and_allows_the_lan_address(monkeypatch, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    monkeypatch.setattr(command, "lan_addresses", lambda: ["192.168.1.23"])
    monkeypatch.setattr(command, "demo_logins", lambda: [])
    cmd = command.Command(stdout=StringIO())
    cmd.banner("0.0.0.0:8000")
    out = cmd.stdout._out.getvalue()
    assert "http://127.0.0.1:8000/" in out and "http://192.168.1.23:8000/" in out
    assert "192.168.1.23" in settings.ALLOWED_HOSTS


def test_serving_on_the_loopback_says_how_to_reach_it_from_a_tablet(monkeypatch, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    monkeypatch.setattr(command, "demo_logins", lambda: [])
    cmd = command.Command(stdout=StringIO())
    cmd.banner("127.0.0.1:8000")
    out = cmd.stdout._out.getvalue()
    assert "--addr 0.0.0.0:8000" in out and settings.ALLOWED_HOSTS == ["127.0.0.1"]


def test_the_announced_duration_follows_the_measured_rate():
    assert command.load_estimate(1000) == ("约需 4 分钟", "about 4 minutes")
    assert command.load_estimate(200)[0] == "约需 2 分钟"
