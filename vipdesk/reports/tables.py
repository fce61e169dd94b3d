"""The report as plain tables — one per section — shared by the XLSX workbook (a sheet each) and
the PDF (a table each), so both carry exactly the page's figures."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    money: set[int] = field(default_factory=set)  # column indexes holding yuan (Decimal strings)
    money_rows: set[int] | None = None  # only these rows hold yuan in the money columns (None: every row)

    def is_money(self, row: int, column: int) -> bool:
        return column in self.money and (self.money_rows is None or row in self.money_rows)


def _compare_rows(section: dict, items: list[tuple[str, str]]) -> list[list]:
    return [[label, section[k]["current"], section[k]["previous"], section[k]["change"], section[k].get("change_pct")]
            for k, label in items]


def report_tables(report: dict) -> list[Table]:
    now, then = report["period"], report["previous"]["period"]
    s = report["vip_share"]
    out = []
    money_items = [("total_sales", _("Net sales")), ("member_sales", _("Member sales")), ("vip_sales", _("VIP sales")),
                   ("guest_sales", _("Guest sales"))]
    count_items = [("receipts", _("Receipts")), ("buyers", _("Buying members")), ("vip_buyers", _("Buying VIPs"))]
    t = Table("vip_share", _("VIP share"), [_("Figure"), now, then, _("Difference"), _("Change %")])
    t.rows = _compare_rows(s, money_items) + _compare_rows(s, count_items)
    t.rows += [[_("VIP share of sales %"), s["vip_share_pct"]["current"], s["vip_share_pct"]["previous"], s["vip_share_pct"]["change"], None],
               [_("Member share of sales %"), s["member_share_pct"]["current"], s["member_share_pct"]["previous"], s["member_share_pct"]["change"], None],
               [_("Top 20% of buyers make %"), s["top20_share_pct"]["current"], s["top20_share_pct"]["previous"], None, None]]
    t.money = {1, 2, 3}
    t.money_rows = set(range(len(money_items)))
    out.append(t)
    pareto = Table("pareto", _("Pareto curve"), [_("Top buyers %"), _("Buyers"), _("Their sales"), _("Share of member sales %"), f"{then} %"])
    prev = {p["buyers_pct"]: p for p in s["pareto_prev"]}
    pareto.rows = [[p["buyers_pct"], p["buyers"], p["sales"], p["sales_pct"], (prev.get(p["buyers_pct"]) or {}).get("sales_pct")]
                   for p in s["pareto"]]
    pareto.money = {2}
    out.append(pareto)
    for key, title, label in (("price_bands", _("Price bands"), _("Unit price (yuan)")), ("brands", _("Brands"), _("Brand")),
                              ("categories", _("Categories"), _("Category"))):
        g = Table(key, title, [label, _("Net sales"), _("Share %"), _("Pieces"), _("Receipts"), then, _("Difference"), _("Change %")])
        g.rows = [[r["key"] or _("(none)"), r["amount"], r["share_pct"], r["quantity"], r["receipts"], r["amount_prev"],
                   r["amount_change"], r["amount_change_pct"]] for r in report[key]["rows"]]
        g.money = {1, 5, 6}
        out.append(g)
    demo = Table("demographics", _("Age and gender"), [_("Group"), _("Buyers"), "%", then, f"{then} %", _("Net sales")])
    for part, prefix in (("age", _("Age")), ("gender", _("Gender"))):
        demo.rows += [[f"{prefix} {r['label']}", r["buyers"], r["buyers_pct"], r["buyers_prev"], r["buyers_pct_prev"], r["amount"]]
                      for r in report["demographics"][part]]
    demo.money = {5}
    out.append(demo)
    mig = report["tier_migration"]
    names = [lv["name"] for lv in mig["levels"]]
    m = Table("tier_migration", _("Tier migration"), [_("Start / end")] + names)
    m.rows = [[names[i]] + row for i, row in enumerate(mig["matrix"])]
    m.rows += [[_("Upgraded"), mig["moves"]["upgraded"]["current"]], [_("Downgraded"), mig["moves"]["downgraded"]["current"]],
               [_("Unchanged"), mig["moves"]["unchanged"]["current"]]]
    out.append(m)
    mem = report["members"]
    out.append(Table("members", _("Members"), [_("Figure"), now, then, _("Difference"), _("Change %")], _compare_rows(mem, [
        ("total", _("Members on file at the end")), ("new", _("New members")), ("new_buyers", _("New members who bought")),
        ("active", _("Active (bought in the period)")), ("dormant", _("Dormant (no purchase for the dormancy months)"))])))
    li = report["liabilities"]
    lt = Table("liabilities", _("Liabilities"), [_("Figure"), now, then, _("Difference"), _("Change %")])
    lt.rows = _compare_rows(li, [("points_balance", _("Points outstanding at the end")), ("points_issued", _("Points issued")),
                                 ("points_used", _("Points used")), ("points_expired", _("Points expired"))])
    money_li = [("points_value", _("Value of the points outstanding")), ("stored_principal", _("Stored value: principal")),
                ("stored_bonus", _("Stored value: bonus")), ("stored_total", _("Stored value in all")),
                ("stored_topped_up", _("Topped up")), ("stored_paid", _("Paid with stored value"))]
    lt.money_rows = set(range(len(lt.rows), len(lt.rows) + len(money_li)))
    lt.rows += _compare_rows(li, money_li)
    lt.money = {1, 2, 3}
    out.append(lt)
    top = Table("top_vips", _("Top VIPs"), [_("Place"), _("Member number"), _("Member name"), _("Tier"), _("Spend"), then, _("Change %"),
                                             _("Receipts"), _("Visit days"), f"{_('Visits')} {then}", _("Brand"), f"{_('Brand')} {then}",
                                             _("Category"), f"{_('Category')} {then}"])
    top.rows = [[r["rank"], r["member_no"], r["name"], r["level"], r["spend"], r["spend_prev"], r["spend_change_pct"], r["receipts"],
                 r["days"], r["days_prev"], r["top_brand"], r["top_brand_prev"], r["top_category"], r["top_category_prev"]]
                for r in report["top_vips"]["rows"]]
    top.money = {4, 5}
    out.append(top)
    camp = Table("campaigns", _("Campaigns"), [_("Campaign"), _("Code"), _("Issued"), _("To VIPs"), _("VIP response %"), f"{then} %",
                                                _("Used"), _("By VIPs"), _("Receipts"), _("Sales on them"), _("VIP sales on them")])
    camp.rows = [[r["name"], r["code"], r["issued"], r["issued_vip"], r["vip_response_pct"], r["vip_response_pct_prev"], r["used"],
                  r["used_vip"], r["receipts"], r["sales"], r["vip_sales"]] for r in report["campaigns"]["rows"]]
    camp.money = {9, 10}
    out.append(camp)
    return out


def sla_table(rows: list[dict]) -> Table:
    """The service tickets' SLA figures per month, store and desk (servicedesk.selectors.sla_figures),
    the same rows as the report page's "on time" section."""
    t = Table("tickets", _("Service tickets: on time"),
              [_("Month"), _("Store code"), _("Store"), _("Desk"), _("Tickets opened"), _("Resolved"), _("Resolved on time"),
               _("Resolved on time (%)"), _("Past due now"), _("Escalated to the manager"), _("Mean satisfaction (1–5)")])
    t.rows = [[r["month"], r["store"], r["store_name"], r["desk"] or "—", r["opened"], r["resolved"], r["on_time"],
               r["on_time_percent"], r["overdue"], r["escalated"], r["satisfaction"]] for r in rows]
    return t


def marketing_table(rows: list[dict]) -> Table:
    """Marketing campaigns started in the period (campaigns.report.campaigns_started): delivery,
    opt-outs and the response of the target against the control group, the page's rows."""
    t = Table("marketing", _("Marketing campaign response"),
              [_("Campaign"), _("Started"), _("Channel"), _("Response window (days)"), _("Handed to the outbox"), _("Sent"), _("Delivered"),
               _("Failed"), _("Opted out"), _("Target members"), _("Target buyers"), _("Target response %"), _("Target net sales"),
               _("Control members"), _("Control buyers"), _("Control response %"), _("Control net sales"), _("Uplift (points)"),
               _("95% interval from"), _("95% interval to"), _("Incremental net sales")])
    t.rows = [[r["name"], f"{r['started_at']:%Y-%m-%d %H:%M}", r["channel"], r["response_days"], r["handed"], r["sent"], r["delivered"],
               r["failed"], r["opted_out"], r["target"]["members"], r["target"]["buyers"], r["target_rate_pct"], str(r["target"]["net_sales"]),
               r["control"]["members"], r["control"]["buyers"], r["control_rate_pct"], str(r["control"]["net_sales"]), r["uplift_pct"],
               r["low_pct"], r["high_pct"], None if r["incremental_sales"] is None else str(r["incremental_sales"])] for r in rows]
    t.money = {12, 16, 20}
    return t


def events_table(rows: list[dict]) -> Table:
    """VIP events held in the period (events.results.events_held, each event's own results): who was
    invited, came and did not, the attendees' net sales in the event's window against the invited
    who did not come, cost per attendee and ROI — the page's rows."""
    t = Table("events", _("VIP event results"),
              [_("VIP event"), _("Kind"), _("Starts"), _("Stores"), _("Days counted after the event"), _("Invited"), _("Accepted"),
               _("Attended"), _("Walk-ins"), _("No-shows"), _("Attendees' net sales"), _("Net sales per attendee"),
               _("Invited non-attendees"), _("Their net sales"), _("Their net sales per member"), _("Cost"), _("Cost per attendee"),
               _("Incremental net sales"), _("ROI %")])

    def money(value):
        return None if value is None else str(value)

    t.rows = [[r["name"], str(r["kind"]), f"{timezone.localtime(r['starts_at']):%Y-%m-%d %H:%M}", r["stores"] or _("All stores"),
               r["results_days"], r["invited"], r["accepted"], r["attended"], r["walk_ins"], r["no_shows"],
               money(r["attendees"]["net_sales"]), money(r["attendees"]["per_member"]), r["others"]["members"],
               money(r["others"]["net_sales"]), money(r["others"]["per_member"]), money(r["cost"]), money(r["cost_per_attendee"]),
               money(r["incremental_sales"]), r["roi_pct"]] for r in rows]
    t.money = {10, 11, 13, 14, 15, 16, 17}
    return t
