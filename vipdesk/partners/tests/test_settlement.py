"""The monthly settlement per partner equals a direct SQL query (issue 18 §3)."""
import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection

from vipdesk.core import clock
from vipdesk.members.cards import card_issue
from vipdesk.partners.counter import benefit_use_record, points_redeem_at_partner, spend_report
from vipdesk.partners.settlement import settlement_statement, statement_csv, statement_xlsx
from vipdesk.points.services import points_credit_bonus

from .conftest import gold_member

pytestmark = pytest.mark.django_db


def _sql(partner, period):
    first = dt.date.fromisoformat(f"{period}-01")
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    with connection.cursor() as c:
        c.execute("SELECT count(*), count(DISTINCT member_id) FROM partners_benefituse WHERE partner_id = %s AND period = %s",
                  [partner.pk, period])
        uses, members = c.fetchone()
        c.execute("SELECT coalesce(sum(s.points), 0), coalesce(sum(s.amount), 0) FROM points_partnerspend s "
                  "JOIN points_pointsentry e ON e.id = s.entry_id WHERE s.partner = %s AND e.business_date >= %s "
                  "AND e.business_date < %s", [partner.code, first, nxt])
        issued, amount = c.fetchone()
        c.execute("SELECT coalesce(sum(points), 0), coalesce(sum(value), 0) FROM partners_partnerredemption "
                  "WHERE partner_id = %s AND period = %s", [partner.pk, period])
        redeemed, value = c.fetchone()
    return uses, members, int(issued), Decimal(str(amount)).quantize(Decimal("0.01")), int(redeemed), \
        Decimal(str(value)).quantize(Decimal("0.01"))


def test_settlement_totals_equal_a_direct_sql_query(partner, other_partner, gold, hq, store_a, store_b, partner_rule):
    second = gold_member(hq, store_b, name="王芳", mobile="13900001111")
    today = clock.today()
    for m in (gold, second):
        points_credit_bonus(member=m, points=2000, action="test", on=today - dt.timedelta(days=3))
    cards = {m.pk: card_issue(actor=None, member=m).number for m in (gold, second)}
    for n, m in enumerate([gold, gold, second]):
        benefit_use_record(partner=partner, ref={"mobile": m.mobile}, code="partner_discount", reference=f"U{n}", amount=Decimal("99"))
        spend_report(partner=partner, ref={"mobile": m.mobile}, reference=f"S{n}", amount=Decimal("123.45") * (n + 1), spent_on=today)
        points_redeem_at_partner(partner=partner, ref={"card": cards[m.pk]}, reference=f"R{n}", points=300 + n)
    # another partner's rows stay out of this partner's line
    benefit_use_record(partner=other_partner, ref={"mobile": gold.mobile}, code="partner_discount", reference="U0")
    spend_report(partner=other_partner, ref={"mobile": gold.mobile}, reference="S0", amount=Decimal("500"), spent_on=today)
    period = today.strftime("%Y-%m")
    rows = {r["partner"]: r for r in settlement_statement(actor=hq, period=period)}
    row = rows["YX"]
    uses, members, issued, amount, redeemed, value = _sql(partner, period)
    assert (row["uses"], row["use_members"], row["points_issued"], row["spend_amount"], row["points_redeemed"], row["hq_owes"]) == \
        (uses, members, issued, amount, redeemed, value)
    assert (uses, members, redeemed) == (3, 2, 903) and value == Decimal("9.03")
    assert row["partner_owes"] == (Decimal("0.01") * issued).quantize(Decimal("0.01"))
    assert row["net"] == abs(row["partner_owes"] - row["hq_owes"])
    assert rows["XH"]["uses"] == 1 and rows["XH"]["points_issued"] == 500
    parsed = list(csv.reader(io.StringIO(statement_csv(list(rows.values())))))
    assert len(parsed) == 3 and parsed[1][1] == "XH"
    assert statement_xlsx(list(rows.values()))[:2] == b"PK"
    # next month is empty
    assert settlement_statement(actor=hq, period="2099-01")[0]["uses"] == 0


def test_the_console_downloads_the_statement_as_csv_and_xlsx(client, partner, gold, hq, partner_rule, guide_a):
    import openpyxl

    benefit_use_record(partner=partner, ref={"mobile": gold.mobile}, code="partner_discount", reference="U1", amount=Decimal("99"))
    spend_report(partner=partner, ref={"mobile": gold.mobile}, reference="S1", amount=Decimal("200"), spent_on=clock.today())
    period = clock.today().strftime("%Y-%m")
    row = settlement_statement(actor=hq, period=period)[0]
    client.force_login(hq)
    got = client.get(f"/partners/settlement/export/?period={period}")
    assert got.status_code == 200 and got["Content-Disposition"].endswith(f'partner-settlement-{period}.csv"')
    lines = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert lines[1][:4] == [period, "YX", partner.name, "1"] and lines[1][8] == str(row["points_issued"]) == "200"
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/partners/settlement/export/?period={period}&format=xlsx").content))
    cells = list(book.active.iter_rows(min_row=2, values_only=True))[0]
    assert cells[1] == "YX" and cells[3] == 1 and cells[8] == 200 and cells[12] == float(row["partner_owes"])
    assert client.get("/partners/settlement/export/?period=2026-13").status_code == 400
    client.force_login(guide_a)
    assert client.get(f"/partners/settlement/export/?period={period}").status_code in (302, 403)  # HQ keeps partners
