"""The evaluation's papers: a certificate per ranked company (PDF, Chinese) and the year's results
(XLSX). The PDF uses reportlab's built-in CID font STSong-Light, as the reports do (see
vipdesk/reports/exporting.py and docs/decisions.md): nothing to ship, every viewer has a Song face."""
from __future__ import annotations

import io

from django.utils.translation import gettext as _, pgettext

from vipdesk.core.errors import Conflict, NotFound

from .models import EvaluationYear, YearState

FONT = "STSong-Light"


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def certificate_pdf(year: EvaluationYear, company_id) -> bytes:
    """One A4 landscape certificate: the scheme's issuer, the company, its rank and the year.
    Only for an approved year and a ranked (not disqualified) company."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    if year.state != YearState.APPROVED:
        raise Conflict(_("Certificates are issued once the year is approved."), code="evaluation_not_approved")
    result = year.results.filter(company_id=company_id, rank__isnull=False).select_related("company").first()
    if result is None:
        raise NotFound(_("This company has no rank in this year."))
    font = _font()
    out = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(out, pagesize=(width, height))
    pdf.setTitle(f"{year.scheme.name} {year.year} {result.company.name}")
    pdf.setStrokeColor(colors.HexColor("#9b1c31"))
    pdf.setLineWidth(6)
    pdf.rect(30, 30, width - 60, height - 60)
    pdf.setFillColor(colors.HexColor("#9b1c31"))
    pdf.setFont(font, 40)
    pdf.drawCentredString(width / 2, height - 130, "荣誉证书")
    pdf.setFillColor(colors.black)
    pdf.setFont(font, 26)
    pdf.drawCentredString(width / 2, height - 210, result.company.name)
    pdf.setFont(font, 18)
    pdf.drawCentredString(width / 2, height - 260, f"在{year.year}年度{year.scheme.name}中")
    pdf.drawCentredString(width / 2, height - 295, f"荣获第{result.rank}名，综合得分 {result.score}")
    if result.award_amount:
        pdf.drawCentredString(width / 2, height - 330, f"特颁此证，并奖励{_award_words(result)}。")
    else:
        pdf.drawCentredString(width / 2, height - 330, "特颁此证，以资鼓励。")
    pdf.setFont(font, 12)
    pdf.drawString(60, 70, f"统一社会信用代码：{result.company.uscc}")
    approved = year.approved_at.date().isoformat() if year.approved_at else ""
    pdf.drawRightString(width - 60, 70, f"批准日期：{approved}")
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _award_words(result) -> str:
    amount = result.award_amount
    if result.award_kind == "points":
        return f"积分 {int(amount)} 分"
    label = "储值" if result.award_kind == "stored_value" else "返利"
    if amount % 10000 == 0:
        return f"{label} {int(amount // 10000)} 万元"
    return f"{label} {amount} 元"


def results_xlsx(year: EvaluationYear) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    criteria = list(year.scheme.criteria.all())
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = str(year.year)
    sheet.append([f"{year.scheme.name} {year.year}", year.get_state_display()])
    headers = [pgettext("evaluation", "Rank"), _("Company"), _("Unified social credit code"), _("Score")]
    headers += [f"{c.name}（{c.unit}）" if c.unit else c.name for c in criteria]
    headers += [_("Disqualified because"), _("Award as"), _("Award amount")]
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for r in year.results.select_related("company"):
        from decimal import Decimal

        values = [None if r.values.get(c.code) is None else Decimal(r.values[c.code]) for c in criteria]
        sheet.append([r.rank, r.company.name, r.company.uscc, r.score, *values, r.reason,
                      r.get_award_kind_display() if r.award_kind else "", r.award_amount])
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 22
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
