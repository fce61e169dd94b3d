"""What the portal pages show, read through the domain apps' own selectors and summaries.

Every function takes the signed-in member (never an id from the request)."""
from __future__ import annotations

from decimal import Decimal

import segno
from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.graphics.shapes import Rect

from vipdesk.core.clock import today
from vipdesk.members.ecard import ecard_code
from vipdesk.coupons.services import member_coupons
from vipdesk.members.choices import CardKind, CardStatus
from vipdesk.points.services import points_summary
from vipdesk.tiers.progress import tier_progress
from vipdesk.wallet.services import wallet_summary

from .referrals import referral_code


def main_card(member):
    """The member's principal card in use (the newest active one), or None."""
    return (member.cards.filter(kind=CardKind.PRINCIPAL, status=CardStatus.ACTIVE).order_by("-issued_at", "-pk").first())


def home_summary(member) -> dict:
    on = today(member.home_store)
    tier = tier_progress(member, on)
    points = points_summary(member, on)
    wallet = wallet_summary(member)
    coupons = member_coupons(member, include_closed=False)
    return {"tier": tier, "points": points, "wallet": wallet, "coupons": coupons, "coupon_count": len(coupons),
            "card": main_card(member), "balance": Decimal(str(wallet.get("balance") or "0"))}


def balances(member) -> dict:
    """The figures the card page keeps for offline use: points, coupons, stored value."""
    on = today(member.home_store)
    points = points_summary(member, on)
    return {"points": points["available"], "pending": points["pending"], "coupons": len(member_coupons(member)),
            "balance": wallet_summary(member, entries=0)["balance"]}


def _bars(node):
    if isinstance(node, Rect):
        yield node
    elif hasattr(node, "contents"):
        for child in node.contents:
            yield from _bars(child)
    elif hasattr(node, "draw"):
        yield from _bars(node.draw())


def _barcode_svg(code: str) -> str:
    """Code 128 of the digits as inline SVG: reportlab encodes (its barcode drawing), we write the bars
    as plain <rect>s — reportlab's own SVG styles them with style attributes, which the CSP refuses."""
    drawing = createBarcodeDrawing("Code128", value=code, barHeight=60, barWidth=1.4, humanReadable=False, quiet=True)
    bars = "".join(f'<rect x="{r.x:.2f}" y="0" width="{r.width:.2f}" height="{drawing.height:.0f}"/>'
                   for r in _bars(drawing) if r.fillColor is not None)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Code 128 {code}" viewBox="0 0 {drawing.width:.2f} '
            f'{drawing.height:.0f}" preserveAspectRatio="none"><rect width="100%" height="100%" fill="#fff"/><g fill="#000">{bars}</g></svg>')


def ecard_view(member) -> dict:
    """The current dynamic code with its QR (segno) and Code 128 (reportlab) as inline SVG."""
    code = ecard_code(member)
    qr = segno.make(code["code"], error="m").svg_inline(scale=6, border=2, omitsize=True)
    qr = qr.replace("<svg ", f'<svg role="img" aria-label="QR {code["code"]}" ', 1)
    return {**code, "qr_svg": qr, "barcode_svg": _barcode_svg(code["code"])}


def referral_link(request, member) -> str:
    return request.build_absolute_uri(f"/m/join/?ref={referral_code(member)}")
