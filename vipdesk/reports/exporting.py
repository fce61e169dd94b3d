"""The report as an XLSX workbook (openpyxl, one sheet per section) and as a PDF (reportlab: the
tables plus bar and line drawings). Both hold the same figures as the page (tables.report_tables).

The top-VIP list names members (masked) and their spending: every export is recorded in the
audit's export log (PiiAccess, masked export) with the period, scope and row count.

PDF font: the Noto CJK fonts Debian installs are OpenType with PostScript (CFF) outlines, which
reportlab cannot embed (it takes TrueType outlines only), so the PDF uses Adobe's standard CID font
STSong-Light (UniGB-UCS2-H): built into reportlab, nothing to ship, and every PDF viewer (pdfium,
poppler, Acrobat) supplies a Song face for it. See docs/decisions.md.
"""
from __future__ import annotations

import io
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from vipdesk.audit.models import PiiAccess
from vipdesk.audit.services import pii_access_record
from vipdesk.campaigns.report import campaigns_started
from vipdesk.events.results import events_held
from vipdesk.servicedesk.selectors import sla_figures

from .figures import report
from .periods import Period, Scope, require_reports
from .tables import Table, events_table, marketing_table, report_tables, sla_table

FONT = "STSong-Light"


def _cell(value, money: bool):
    """Spreadsheet cells hold numbers: yuan as Decimal, percentages and counts as numbers."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return Decimal(value) if money or value.lstrip("-").replace(".", "", 1).isdigit() else value
        except ArithmeticError:
            return value
    return value


def _record(actor, period: Period, scope: Scope, figures: dict, fmt: str) -> None:
    pii_access_record(actor=actor, kind=PiiAccess.Kind.EXPORT_MASKED, fields=["report", "top_vips"],
                      reason=f"report {fmt} {period.label} {scope.key}", row_count=len(figures["top_vips"]["rows"]))


def _tables(actor, period: Period, scope: Scope, figures: dict) -> list[Table]:
    """The page's sections as tables, then the service tickets' SLA figures, the marketing
    campaigns' response and the VIP events' results (all scoped to the actor's stores)."""
    sla = sla_figures(actor, start=period.start, end=period.end, store_ids=scope.store_ids)
    marketing = campaigns_started(period.start, period.end, store_ids=scope.store_ids)
    events = events_held(period.start, period.end, store_ids=scope.store_ids)
    return [*report_tables(figures), sla_table(sla), marketing_table(marketing), events_table(events)]


def report_xlsx(*, actor, period: Period, scope: Scope) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    require_reports(actor)
    figures = report(period, scope)
    book = openpyxl.Workbook()
    book.remove(book.active)
    about = book.create_sheet(_("Report"))
    for row in ([_("Period"), figures["period"], figures["start"], figures["end"]],
                [_("Compared with"), figures["previous"]["period"], figures["previous"]["start"], figures["previous"]["end"]],
                [_("Scope"), figures["scope"]["name"], figures["scope"]["key"]]):
        about.append(row)
    for table in _tables(actor, period, scope, figures):
        sheet = book.create_sheet(table.title[:31])
        sheet.append(table.headers)
        for c in sheet[1]:
            c.font = Font(bold=True)
        for r, row in enumerate(table.rows):
            sheet.append([_cell(v, table.is_money(r, i)) for i, v in enumerate(row)])
            for i, c in enumerate(sheet[sheet.max_row]):
                if table.is_money(r, i):
                    c.number_format = "#,##0.00"
        sheet.column_dimensions["A"].width = 28
    out = io.BytesIO()
    book.save(out)
    _record(actor, period, scope, figures, "xlsx")
    return out.getvalue()


# ---- PDF ----------------------------------------------------------------------------------

def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _bar_chart(title: str, labels: list[str], series: list[tuple[str, list[float]]], width=480, height=190):
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    drawing = Drawing(width, height)
    drawing.add(String(0, height - 12, title, fontName=FONT, fontSize=10))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 50, 40, width - 160, height - 70
    chart.data = [tuple(v for v in values) or (0,) for _n, values in series]
    chart.categoryAxis.categoryNames = [label[:10] for label in labels] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30 if len(labels) > 6 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 6 else "n"
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    palette = [colors.HexColor("#9b1c31"), colors.HexColor("#b8862b"), colors.HexColor("#3b6ea8")]
    for i in range(len(series)):
        chart.bars[i].fillColor = palette[i % len(palette)]
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 100, height - 30
    legend.fontName, legend.fontSize = FONT, 8
    legend.colorNamePairs = [(palette[i % len(palette)], name) for i, (name, _v) in enumerate(series)]
    drawing.add(legend)
    return drawing


def _line_chart(title: str, xs: list, series: list[tuple[str, list[float]]], width=480, height=190):
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    drawing = Drawing(width, height)
    drawing.add(String(0, height - 12, title, fontName=FONT, fontSize=10))
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 50, 30, width - 160, height - 60
    plot.data = [list(zip(xs, values)) or [(0, 0)] for _n, values in series]
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = 0, 100
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = 0, 100
    palette = [colors.HexColor("#9b1c31"), colors.HexColor("#b8862b")]
    for i in range(len(series)):
        plot.lines[i].strokeColor = palette[i % 2]
        plot.lines[i].strokeWidth = 2
    drawing.add(plot)
    legend = Legend()
    legend.x, legend.y = width - 100, height - 30
    legend.fontName, legend.fontSize = FONT, 8
    legend.colorNamePairs = [(palette[i % 2], name) for i, (name, _v) in enumerate(series)]
    drawing.add(legend)
    return drawing


def _num(v) -> float:
    return float(Decimal(v)) if v not in (None, "") else 0.0  # drawing coordinates only


def _drawings(figures: dict) -> dict:
    now, then = figures["period"], figures["previous"]["period"]
    s = figures["vip_share"]
    out = {
        "vip_share": _line_chart(_("Pareto curve: share of member sales by the top buyers (%)"),
                                 [p["buyers_pct"] for p in s["pareto"]],
                                 [(now, [_num(p["sales_pct"]) for p in s["pareto"]]),
                                  (then, [_num(p["sales_pct"]) for p in s["pareto_prev"]])]),
    }
    for key, title in (("price_bands", _("Sales by price band")), ("brands", _("Sales by brand")), ("categories", _("Sales by category"))):
        rows = figures[key]["rows"][:12]
        out[key] = _bar_chart(title, [r["key"] or "—" for r in rows],
                              [(now, [_num(r["amount"]) for r in rows]), (then, [_num(r["amount_prev"]) for r in rows])])
    ages = figures["demographics"]["age"]
    out["demographics"] = _bar_chart(_("Buyers by age"), [str(r["label"]) for r in ages],
                                     [(now, [r["buyers"] for r in ages]), (then, [r["buyers_prev"] for r in ages])])
    m = figures["members"]
    keys = [("new", _("New")), ("active", _("Active (bought)")), ("dormant", _("Dormant"))]
    out["members"] = _bar_chart(_("Members"), [label for _k, label in keys],
                                [(now, [m[k]["current"] for k, _l in keys]), (then, [m[k]["previous"] for k, _l in keys])])
    return out


WIDE = 12  # columns: a wider table is fitted to the page, its cells wrapped


def _pdf_table(table: Table, font: str, width: float | None = None):
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table as PdfTable, TableStyle

    def text(r, i, v):
        if v is None or v == "":
            return "—"
        if table.is_money(r, i):
            return f"{Decimal(v):,.2f}"
        return str(v)

    data = [table.headers] + [[text(r, i, v) for i, v in enumerate(row)] for r, row in enumerate(table.rows)]
    small = len(table.headers) > 8
    widths = None
    if width and len(table.headers) > WIDE:
        # as many columns as the marketing and VIP events tables have do not fit a landscape page at
        # their natural width: each column as wide as its longest figure (headings wrap), the rest of
        # the page shared out, scaled down when even that does not fit
        from reportlab.pdfbase.pdfmetrics import stringWidth

        n = len(table.headers)
        natural = [min(max([stringWidth(str(row[i]), font, 6) for row in data[1:]] + [22.0]) + 7, width / 5) for i in range(n)]
        spare = width - sum(natural)
        widths = [w + spare / n for w in natural] if spare > 0 else [w * width / sum(natural) for w in natural]
        # headings and the first column wrap anywhere (Chinese); figures and times only at spaces
        cjk = [ParagraphStyle(f"cjk{a}", fontName=font, fontSize=6, leading=7.5, wordWrap="CJK", alignment=a) for a in (TA_LEFT, TA_RIGHT)]
        plain = ParagraphStyle("plain", fontName=font, fontSize=6, leading=7.5, alignment=TA_RIGHT)
        data = [[Paragraph(escape(str(v)), cjk[i > 0] if r == 0 or i == 0 else plain) for i, v in enumerate(row)]
                for r, row in enumerate(data)]
    pdf = PdfTable(data, repeatRows=1, hAlign="LEFT", colWidths=widths)
    pdf.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 6.5 if small else 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f4f5f7")),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.HexColor("#9b1c31")),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#e3e6eb")),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return pdf


def report_pdf(*, actor, period: Period, scope: Scope) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

    require_reports(actor)
    font = _font()
    figures = report(period, scope)
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=4)
    heading = ParagraphStyle("heading", fontName=font, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=14 * mm, rightMargin=14 * mm, topMargin=14 * mm, bottomMargin=14 * mm,
                            title=f"vipdesk {figures['period']} {figures['scope']['name']}", author="vipdesk")
    story = [Paragraph(_("VIP report %(period)s — %(scope)s") % {"period": figures["period"], "scope": figures["scope"]["name"]}, title),
             Paragraph(_("%(start)s to %(end)s, compared with %(previous)s (%(pstart)s to %(pend)s).") % {
                 "start": figures["start"], "end": figures["end"], "previous": figures["previous"]["period"],
                 "pstart": figures["previous"]["start"], "pend": figures["previous"]["end"]}, body)]
    drawings = _drawings(figures)
    for table in _tables(actor, period, scope, figures):
        head = [Paragraph(table.title, heading)]
        if table.key in drawings:
            head += [drawings[table.key], Spacer(1, 4)]
        body_part = _pdf_table(table, font, doc.width) if table.rows else Paragraph(_("Nothing in the period."), body)
        # a section's heading and chart stay on the page of the start of its table
        story.append(KeepTogether(head + [body_part]) if len(table.rows) < 25 else KeepTogether(head))
        if len(table.rows) >= 25:
            story.append(body_part)
    doc.build(story)
    _record(actor, period, scope, figures, "pdf")
    return out.getvalue()
