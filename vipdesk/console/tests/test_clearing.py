"""Clearing statements and points liability in the console (R5.5, R8.4): the seed's example, the
same figures as `vipdesk clearing statement`, scoping by role."""
import csv
import io
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.urls import reverse

from vipdesk.accounts.roles import Role
from vipdesk.points.tests.clearing_example import PERIOD, build
from vipdesk.testing.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def example(db):
    return build()


def page(client, **params):
    return client.get(reverse("console:clearing"), params)


def test_seed_example_a_owes_b_fifty(login, hq, example):
    response = page(login(hq), period=PERIOD)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["payer"], r["payee"], r["points"], r["net"]) for r in rows] == [("FA", "FB", 1000, D("50.00"))]
    html = response.content.decode()
    assert 'id="pair-FA-FB"' in html and "甲加盟商" in html and "乙加盟商" in html and "50.00" in html
    assert "2026-03 跨店结算单" in html and "谁付给谁" in html  # Chinese by default
    positions = {p["party"]: p["balance"] for p in response.context["positions"]}
    assert positions == {"FA": D("-50.00"), "FB": D("50.00")}


def test_csv_export_is_the_command_output(login, hq, example, capsys):
    response = login(hq).get(reverse("console:clearing_export"), {"period": PERIOD})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="clearing-2026-03.csv"' in response["Content-Disposition"]
    body = response.content.decode("utf-8-sig")  # BOM for Excel
    call_command("clearing", "statement", "--period", PERIOD)
    assert body == capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(r["payer"], r["payee"], r["net"], r["points"]) for r in rows] == [("FA", "FB", "50.00", "1000")]


def test_drill_down_to_settlement_lines_and_their_csv(login, hq, example):
    client = login(hq)
    response = page(client, period=PERIOD, payer="FA", payee="FB")
    lines = response.context["lines"]
    assert [(ln.issuer.code, ln.redeemer.code, ln.redeemer_store.code, ln.points, ln.value) for ln in lines] == [
        ("FA", "FB", "FB01", 1000, D("50.00"))]
    html = response.content.decode()
    assert 'id="lines-table"' in html and "50元礼品" in html and "2026-03-15" in html
    export = client.get(reverse("console:clearing_export"), {"period": PERIOD, "payer": "FA", "payee": "FB"})
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [(r["issuer"], r["issuer_store"], r["redeemer_store"], r["points"], r["value"]) for r in rows] == [
        ("FA", "FA01", "FB01", "1000", "50.00")]
    # the same pair asked the other way round shows the same lines
    assert len(page(client, period=PERIOD, payer="FB", payee="FA").context["lines"]) == 1


def test_other_months_and_bad_periods(login, hq, example):
    client = login(hq)
    empty = page(client, period="2026-04")
    assert empty.context["rows"] == [] and 'id="statement-empty"' in empty.content.decode()
    for bad in ("2026-13", "März", "2026-3"):
        response = page(client, period=bad)
        assert response.status_code == 200 and "格式应为 2026-03" in response.content.decode()
    export = client.get(reverse("console:clearing_export"), {"period": "x"})
    assert export.status_code == 400


def test_auditor_sees_everything(login, auditor, example):
    assert len(page(login(auditor), period=PERIOD).context["rows"]) == 1


def test_store_managers_see_their_own_franchisee_only(client, login, example):
    b_manager = StaffFactory(username="mgr_b", role=Role.STORE_MANAGER, stores=[example.store_b])
    c_manager = StaffFactory(username="mgr_c", role=Role.STORE_MANAGER, stores=[example.store_c])
    direct_manager = StaffFactory(username="mgr_zy", role=Role.STORE_MANAGER, stores=[example.direct])
    seen = page(login(b_manager), period=PERIOD)
    assert [(r["payer"], r["payee"]) for r in seen.context["rows"]] == [("FA", "FB")]
    assert len(page(client, period=PERIOD, payer="FA", payee="FB").context["lines"]) == 1
    csv_b = client.get(reverse("console:clearing_export"), {"period": PERIOD}).content.decode("utf-8-sig")
    assert "FA,甲加盟商,FB,乙加盟商,50.00" in csv_b

    client.force_login(c_manager)
    assert page(client, period=PERIOD).context["rows"] == []
    assert page(client, period=PERIOD, payer="FA", payee="FB").context["lines"] == []
    assert client.get(reverse("console:clearing_export"), {"period": PERIOD}).content.decode("utf-8-sig").splitlines()[1:] == []
    liability = client.get(reverse("console:liability"), {"on": "2026-03-20"}).context
    assert [(r["store"], r["points"]) for g in liability["groups"] for r in g["rows"]] == [("FC01", 300)]

    client.force_login(direct_manager)
    response = page(client, period=PERIOD)
    assert response.context["no_party"] and 'id="no-party"' in response.content.decode()


@pytest.mark.parametrize("who", ["guide_a", "cashier_a", "account_manager_a"])
def test_staff_without_the_right_get_403(login, request, example, who):
    client = login(request.getfixturevalue(who))
    for url in (reverse("console:clearing"), reverse("console:clearing_export"), reverse("console:liability")):
        assert client.get(url, {"period": PERIOD}).status_code == 403
    assert "nav-clearing" not in client.get(reverse("console:home")).content.decode()


def test_liability_by_franchisee_and_store(login, hq, example):
    response = login(hq).get(reverse("console:liability"), {"on": "2026-03-20"})
    ctx = response.context
    assert [(g["code"], g["points"], g["value"]) for g in ctx["groups"]] == [("FC", 300, D("30.00")), ("HQ", 250, D("25.00"))]
    assert (ctx["total_points"], ctx["total_value"], ctx["value_per_point"]) == (550, D("55.00"), D("0.1000"))
    html = response.content.decode()
    assert "积分负债" in html and "丙加盟商" in html and "直营旗舰店" in html and "55.00" in html
    later = login(hq).get(reverse("console:liability"), {"on": "2028-01-01"}).context  # all expired by then
    assert later["total_points"] == 0


def test_nav_links_for_hq(login, hq):
    html = login(hq).get(reverse("console:home")).content.decode()
    assert 'id="nav-clearing"' in html and 'id="nav-loyalty"' in html


def test_statement_shows_money_points_and_names_not_codes(login, hq, example):
    client = login(hq)
    html = page(client, period=PERIOD).content.decode()
    statement = html.split('id="statement"')[1].split("</table>")[0]
    assert "¥50.00" in statement and "1,000" in statement and 'id="statement-total">¥50.00<' in statement
    assert "结算明细" in statement and "商品明细" not in statement  # the button opens settlement lines, not goods
    positions = html.split('id="positions"')[1].split("</table>")[0]
    assert "-¥50.00" in positions and "¥50.00" in positions
    lines = page(client, period=PERIOD, payer="FA", payee="FB").content.decode()
    assert "甲加盟商 与 乙加盟商 之间的结算明细" in lines  # names, not FA / FB
    table = lines.split('id="lines-table"')[1].split("</table>")[0]
    assert "¥50.00" in table and "1,000" in table
    assert 'id="lines-out"' in table and 'id="lines-back"' in table
    assert "轧差后：甲加盟商 应付 乙加盟商" in table and 'id="lines-net">¥50.00<' in table


def test_the_directly_run_chain_is_named_not_hq(login, hq, example):
    # 1,000 points earned at the direct store, redeemed at franchisee A: HQ owes A
    from vipdesk.points.redemption import points_redeem
    from vipdesk.points.services import points_earn_for_sale
    from vipdesk.points.tests.helpers import at, make_sale
    from vipdesk.testing.factories import make_member
    from vipdesk.points.tests.clearing_example import EARNED, REDEEMED

    shopper = make_member(store=example.direct, name="赵敏")
    points_earn_for_sale(sale=make_sale(member=shopper, store=example.direct, on=EARNED, lines=[("1000.00", "", "")]), level=None)
    points_redeem(actor=None, member=shopper, item_code="GIFT50", store=example.store_a, at=at(REDEEMED))
    client = login(hq)
    html = page(client, period=PERIOD).content.decode()
    row = html.split('id="pair-HQ-FA"')[1].split("</tr>")[0]
    assert "直营门店（总部）" in row and "<strong>HQ</strong>" not in row
    lines = page(client, period=PERIOD, payer="HQ", payee="FA").content.decode()
    assert "直营门店（总部） 与 甲加盟商 之间的结算明细" in lines
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = page(client, period=PERIOD).content.decode()
    assert "Directly run stores (HQ)" in english and "Settlement lines" in english


def test_bad_period_does_not_echo_the_input_as_a_title(login, hq, example):
    html = page(login(hq), period="garbage").content.decode()
    assert "garbage 跨店结算单" not in html and "<h1>跨店结算单</h1>" in html and "格式应为 2026-03" in html


def test_liability_figures_are_formatted(login, hq, example):
    html = login(hq).get(reverse("console:liability"), {"on": "2026-03-20"}).content.decode()
    assert 'id="liability-value">¥55.00<' in html and "每分 ¥0.10" in html and "0.1000" not in html
    assert "¥30.00" in html and "¥25.00" in html
