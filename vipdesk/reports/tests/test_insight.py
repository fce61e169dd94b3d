"""Per-member insight (R8.5): usual sizes, colours, price band, styles, brands, rhythm — against SQL
over the crafted chain, and the pane on the 360° page."""
import datetime as dt
import statistics
from decimal import Decimal

import pytest

from vipdesk.reports.insight import member_insight

from .helpers import money, sql

pytestmark = pytest.mark.django_db


def test_insight_of_a_member_against_sql(chain):
    late = chain["members"]["late"]
    got = member_insight(late)
    sizes = sql("SELECT l.size, SUM(l.quantity - l.returned_quantity) q FROM sales_saleline l JOIN sales_sale s ON s.id = l.sale_id "
                "WHERE s.member_id = %s AND s.kind = 'sale' AND l.size <> '' AND l.returned_quantity < l.quantity "
                "GROUP BY l.size ORDER BY q DESC", [late.pk])
    assert [(x["value"], x["quantity"]) for x in got["sizes"]] == [(s, int(q)) for s, q in sizes][:3]
    assert got["sizes"][0]["value"] == "XL"  # three pieces of 男装 in XL
    colours = sql("SELECT l.colour, SUM(l.quantity - l.returned_quantity), SUM(l.amount - l.returned_amount) FROM sales_saleline l "
                  "JOIN sales_sale s ON s.id = l.sale_id "
                  "WHERE s.member_id = %s AND s.kind = 'sale' AND l.colour <> '' AND l.returned_quantity < l.quantity GROUP BY l.colour",
                  [late.pk])
    ranked = sorted(colours, key=lambda c: (-int(c[1]), -money(c[2]), c[0]))[:3]  # most pieces, then most money
    assert [(x["value"], x["quantity"]) for x in got["colours"]] == [(c, int(q)) for c, q, _a in ranked]
    brands = sql("SELECT l.brand, SUM(l.amount - l.returned_amount) a FROM sales_saleline l JOIN sales_sale s ON s.id = l.sale_id "
                 "WHERE s.member_id = %s AND s.kind = 'sale' AND l.brand <> '' AND l.returned_quantity < l.quantity GROUP BY l.brand",
                 [late.pk])
    assert got["brands"][0]["value"] == max(brands, key=lambda b: money(b[1]))[0] == "乙"
    days = sorted({str(d) for (d,) in sql("SELECT business_date FROM sales_sale WHERE member_id = %s AND kind = 'sale' "
                                          "AND amount > returned_amount", [late.pk])})
    dates = [dt.date.fromisoformat(d) for d in days]
    assert got["visits"] == len(dates) == 3
    assert got["median_days_between"] == statistics.median([(b - a).days for a, b in zip(dates, dates[1:])])
    assert got["last_purchase"] == days[-1] == "2026-10-30"
    prices = sorted(money(p) for (p,) in sql("SELECT l.unit_price FROM sales_saleline l JOIN sales_sale s ON s.id = l.sale_id "
                                             "WHERE s.member_id = %s AND s.kind = 'sale' AND l.returned_quantity < l.quantity", [late.pk]))
    assert Decimal(got["median_unit_price"]) == money(statistics.median(prices))
    net = sql("SELECT SUM(amount - returned_amount) FROM sales_sale WHERE member_id = %s AND kind = 'sale'", [late.pk])[0][0]
    assert Decimal(got["spend"]) == money(net)


def test_insight_pane_on_the_360_page(client, chain):
    client.force_login(chain["hq"])
    html = client.get(f"/members/{chain['members']['big'].pk}/").content.decode()
    assert 'id="pane-insight"' in html
    pane = html.split('id="pane-insight"')[1].split("</section>")[0]
    assert "M" in pane.split('id="insight-sizes"')[1].split("</dd>")[0] and "黑" in pane


def test_member_without_purchases(chain):
    got = member_insight(chain["members"]["fresh"].__class__.objects.create(
        member_no="M99999999", name="空白", home_store=chain["stores"]["E1"], enrolled_at=chain["members"]["big"].enrolled_at))
    assert got["visits"] == 0 and got["sizes"] == [] and got["last_purchase"] is None and got["price_band"] is None
