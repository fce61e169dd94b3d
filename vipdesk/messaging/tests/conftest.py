import pytest
from aiosmtpd.controller import Controller

from vipdesk.testing.factories import make_member

from .helpers import birthday_template, event_template, notice_template
from .servers import MailSink, free_port, start_gateway


@pytest.fixture
def member(store_a, guide_a):
    return make_member(store=store_a, name="陈美玲", gender="F", mobile="13612345678", email="meiling@example.cn", owner=guide_a)


@pytest.fixture
def birthday(db):
    return birthday_template()


@pytest.fixture
def event(db):
    return event_template()


@pytest.fixture
def notice(db):
    return notice_template()


@pytest.fixture
def gateway(settings):
    """A real HTTP SMS gateway on localhost; the project's SMS settings point at it (signed webhook)."""
    gw = start_gateway()
    settings.VIPDESK = {**settings.VIPDESK, "SMS": {**settings.VIPDESK["SMS"], "BACKEND": "webhook", "URL": gw.url,
                                                     "SECRET": "gateway-secret", "TIMEOUT": 5}}
    yield gw
    gw.server.shutdown()
    gw.server.server_close()


@pytest.fixture
def smtp(settings):
    """A real SMTP server on localhost (aiosmtpd); Django's SMTP backend points at it."""
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "vip@shop.example.cn"
    yield sink
    controller.stop()


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    """The file SMS gateway of the embedded default writes under the data dir: a temporary one."""
    settings.DATA_DIR = tmp_path
