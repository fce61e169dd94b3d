"""`vipdesk init --preset b2b` (issue 20, Presets): the contacts' VIP programme and 济钢's evaluation scheme."""
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vipdesk.companies.models import AwardKind, Scheme, Source
from vipdesk.org.models import Store
from vipdesk.tiers.config import programme_validate
from vipdesk.tiers.models import Level, Programme

pytestmark = pytest.mark.django_db


def test_init_b2b_installs_the_jigang_scheme(capsys):
    call_command("init", preset="b2b")
    programme = Programme.objects.get(active=True)
    assert programme.preset == "b2b" and list(Level.objects.filter(programme=programme).values_list("name", flat=True)) == ["VIP客户"]
    programme_validate(programme=programme)
    assert Store.objects.filter(code="S001").exists()
    scheme = Scheme.objects.get(code="jigang-vip")
    assert scheme.award_kind == AwardKind.REBATE
    criteria = {c.code: c for c in scheme.criteria.all()}
    assert list(criteria) == ["volume", "payment", "share", "cooperation", "disputes"]
    assert criteria["volume"].source == Source.SALES_QUANTITY and criteria["volume"].gate_min == Decimal("50000")
    assert criteria["disputes"].gate_max == 0 and criteria["disputes"].weight == 0
    assert sum(c.weight for c in criteria.values()) == 100
    assert [(a.rank, a.amount) for a in scheme.awards.all()] == [(1, Decimal("800000")), (2, Decimal("500000")), (3, Decimal("300000"))]
    out = capsys.readouterr().out
    assert "VIP客户年度评价" in out and "80 万元" in out
    with pytest.raises(CommandError):
        call_command("init", preset="b2b")
