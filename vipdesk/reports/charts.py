"""ECharts options for the report page, built from the report's figures. The browser only hands
each option to `echarts.init(...).setOption(...)` (console/reports.js); animation is off so a
chart is complete as soon as it is drawn (printing, screenshots, the browser test)."""
from __future__ import annotations

from django.utils.translation import gettext as _

from decimal import Decimal

COLOURS = ["#9b1c31", "#b8862b", "#3b6ea8", "#1f7a4d", "#7a5195", "#ef8354", "#5c6b73"]
TOP_BARS = 15


def _num(value) -> float:
    # Chart coordinates only: figures and tables keep their Decimal strings.
    return float(Decimal(value)) if value is not None else 0.0


def _base(**extra) -> dict:
    return {"animation": False, "color": COLOURS, "tooltip": {"trigger": "axis"},
            "grid": {"left": 60, "right": 20, "top": 40, "bottom": 60, "containLabel": True},
            "legend": {"top": 0}, **extra}


def _bars(categories: list[str], series: list[tuple[str, list]], *, rotate: int = 0, horizontal=False, counts=False) -> dict:
    axis_cat = {"type": "category", "data": categories, "axisLabel": {"rotate": rotate, "interval": 0}}
    axis_val = {"type": "value", **({"minInterval": 1} if counts else {})}
    return _base(xAxis=axis_val if horizontal else axis_cat, yAxis=axis_cat if horizontal else axis_val,
                 series=[{"name": name, "type": "bar", "data": data} for name, data in series])


def _now_then(report) -> tuple[str, str]:
    return report["period"], report["previous"]["period"]


def pareto(report) -> dict:
    section = report["vip_share"]
    now, then = _now_then(report)
    xs = [f"{p['buyers_pct']}%" for p in section["pareto"]] or [f"{k * 10}%" for k in range(1, 11)]
    option = _base(xAxis={"type": "category", "data": xs, "name": _("Buyers (most spending first)"), "nameLocation": "middle", "nameGap": 30},
                   yAxis={"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
                   series=[{"name": now, "type": "line", "data": [_num(p["sales_pct"]) for p in section["pareto"]],
                            "markLine": {"silent": True, "symbol": "none", "data": [{"yAxis": 80, "name": "80%"}]}},
                           {"name": then, "type": "line", "lineStyle": {"type": "dashed"},
                            "data": [_num(p["sales_pct"]) for p in section["pareto_prev"]]}])
    return option


def sales_mix(report) -> dict:
    s = report["vip_share"]
    now, then = _now_then(report)
    vip = [_num(s["vip_sales"][k]) for k in ("current", "previous")]
    others = [_num(s["member_sales"][k]) - _num(s["vip_sales"][k]) for k in ("current", "previous")]
    guests = [_num(s["guest_sales"][k]) for k in ("current", "previous")]
    option = _base(xAxis={"type": "category", "data": [now, then]}, yAxis={"type": "value"},
                   series=[{"name": _("VIPs"), "type": "bar", "stack": "s", "data": vip},
                           {"name": _("Other members"), "type": "bar", "stack": "s", "data": others},
                           {"name": _("Guests"), "type": "bar", "stack": "s", "data": guests}])
    return option


def goods(report, key: str, limit: int | None = TOP_BARS) -> dict:
    rows = report[key]["rows"][:limit] if limit else report[key]["rows"]
    now, then = _now_then(report)
    return _bars([r["key"] or _("(none)") for r in rows],
                 [(now, [_num(r["amount"]) for r in rows]), (then, [_num(r["amount_prev"]) for r in rows])],
                 rotate=30 if len(rows) > 8 else 0)


def ages(report) -> dict:
    rows = report["demographics"]["age"]
    now, then = _now_then(report)
    return _bars([str(r["label"]) for r in rows], [(now, [r["buyers"] for r in rows]), (then, [r["buyers_prev"] for r in rows])],
                 counts=True)


def genders(report) -> dict:
    rows = report["demographics"]["gender"]
    return {"animation": False, "color": COLOURS, "tooltip": {"trigger": "item"}, "legend": {"top": 0},
            "series": [{"type": "pie", "radius": ["35%", "65%"], "top": 30,
                        "data": [{"name": str(r["label"]), "value": r["buyers"]} for r in rows]}]}


def migration(report) -> dict:
    section = report["tier_migration"]
    names = [lv["name"] for lv in section["levels"]]
    data = [[j, i, n] for i, row in enumerate(section["matrix"]) for j, n in enumerate(row)]
    top = max([n for _x, _y, n in data] or [1]) or 1
    return {"animation": False, "tooltip": {"position": "top"},
            "grid": {"left": 90, "right": 20, "top": 30, "bottom": 70, "containLabel": True},
            "xAxis": {"type": "category", "data": names, "name": _("At the end"), "nameLocation": "middle", "nameGap": 30},
            "yAxis": {"type": "category", "data": names, "name": _("At the start"), "nameLocation": "start", "inverse": True},
            "visualMap": {"min": 0, "max": top, "show": False, "inRange": {"color": ["#fbeff1", "#9b1c31"]}},
            "series": [{"type": "heatmap", "data": data, "label": {"show": True}}]}


def members(report) -> dict:
    s = report["members"]
    now, then = _now_then(report)
    keys = [("new", _("New")), ("active", _("Active (bought)")), ("dormant", _("Dormant"))]
    return _bars([label for _k, label in keys], [(now, [s[k]["current"] for k, _l in keys]), (then, [s[k]["previous"] for k, _l in keys])],
                 counts=True)


def liabilities(report) -> dict:
    s = report["liabilities"]
    now, then = _now_then(report)
    keys = [("points_value", _("Points (yuan)")), ("stored_principal", _("Stored value: principal")), ("stored_bonus", _("Stored value: bonus"))]
    return _bars([label for _k, label in keys],
                 [(now, [_num(s[k]["current"]) for k, _l in keys]), (then, [_num(s[k]["previous"]) for k, _l in keys])])


def top_vips(report, limit: int = 20) -> dict:
    rows = report["top_vips"]["rows"][:limit]
    now, then = _now_then(report)
    return _bars([r["member_no"] for r in rows], [(now, [_num(r["spend"]) for r in rows]), (then, [_num(r["spend_prev"]) for r in rows])],
                 rotate=45 if len(rows) > 6 else 0)


def campaigns(report) -> dict:
    rows = report["campaigns"]["rows"]
    return _bars([r["name"] for r in rows], [(_("Issued to VIPs"), [r["issued_vip"] for r in rows]),
                                             (_("Used by VIPs"), [r["used_vip"] for r in rows]),
                                             (_("Used by all"), [r["used"] for r in rows])],
                 rotate=30 if len(rows) > 6 else 0, counts=True)


def all_charts(report) -> dict:
    return {
        "pareto": pareto(report), "sales_mix": sales_mix(report),
        "price_bands": goods(report, "price_bands", limit=None), "brands": goods(report, "brands"),
        "categories": goods(report, "categories"), "ages": ages(report), "genders": genders(report),
        "migration": migration(report), "members": members(report), "liabilities": liabilities(report),
        "top_vips": top_vips(report), "campaigns": campaigns(report),
    }
