"""Property (issue 4, done means): a sale paid with a coupon, points and stored value, returned in
random parts and then in full, restores everything exactly once — the coupon, the points (spent
given back, earned taken back), the stored value (principal and bonus) — and pays back in money
exactly what money paid."""
import datetime as dt
from decimal import ROUND_DOWN, Decimal as D

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, example, given, note, settings
from hypothesis import strategies as st

from vipdesk.coupons.campaigns import campaign_save
from vipdesk.coupons.models import Coupon, CouponEvent
from vipdesk.coupons.services import coupons_issue_bulk
from vipdesk.members.models import Member
from vipdesk.points.models import PointsAccount
from vipdesk.points.services import points_recompute
from vipdesk.till.services import return_post, sale_post
from vipdesk.wallet.models import WalletAccount
from vipdesk.wallet.services import wallet_recompute, wallet_topup

from .helpers import return_data

pytestmark = pytest.mark.django_db

line_st = st.tuples(st.integers(50, 900), st.integers(0, 99), st.integers(1, 3))  # yuan, fen, quantity
# each step: (line index, pieces to return) — or a return by amount, as a percentage of what is left
step_st = st.one_of(st.tuples(st.just("line"), st.integers(0, 3), st.integers(1, 3)),
                    st.tuples(st.just("amount"), st.integers(1, 90), st.just(0)))


def _snapshot(member):
    points = PointsAccount.objects.get(member=member)
    wallet = WalletAccount.objects.get(member=member)
    return points.balance, points.debt, wallet.principal, wallet.bonus


@settings(max_examples=20, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate], suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(lines=st.lists(line_st, min_size=1, max_size=4), coupon_value=st.integers(5, 45), points_used=st.integers(0, 400),
       wallet_share=st.integers(0, 60), steps=st.lists(step_st, max_size=4))
# Points rounded to the 0.1 yuan must not round past what is left after the coupon (51.68 − 31 = 20.68).
@example(lines=[(51, 68, 1)], coupon_value=31, points_used=395, wallet_share=47, steps=[])
def test_everything_comes_back_exactly_once(seed_campaigns, member, store_a, hq, lines, coupon_value, points_used, wallet_share, steps):
    with transaction.atomic():
        earlier = timezone.now() - dt.timedelta(days=2)
        prime = {"store": "SA01", "receipt_no": "PRIME", "occurred_at": earlier.isoformat(), "member": {"mobile": member.mobile},
                 "lines": [{"line_no": 1, "sku": "P", "unit_price": "1000.00", "quantity": 1, "amount": "1000.00"}],
                 "payments": [{"method": "stored_value", "amount": "1000.00"}], "amount_paid": "1000.00"}  # no coupons: not cash
        wallet_topup(actor=None, member=member, store=store_a, amount="3000.00", reference="TU")  # no top-up rules here: 3000 principal
        sale_post(actor=None, data=prime)  # 1000 points to spend later (earned two days ago)
        campaign = campaign_save(actor=hq, data={"code": "PROP", "name": "券", "kind": "voucher", "face_value": f"{coupon_value}.00",
                                                 "valid_days": 30, "stackable": True})
        coupons_issue_bulk(actor=hq, campaign=campaign, members=Member.objects.filter(pk=member.pk))
        coupon = Coupon.objects.get(campaign=campaign)
        before = _snapshot(member)
        note(f"lines={lines} coupon={coupon_value} points={points_used} wallet={wallet_share} steps={steps}")

        rows, total = [], D("0.00")
        for n, (yuan, fen, qty) in enumerate(lines, start=1):
            price = D(f"{yuan}.{fen:02d}")
            rows.append({"line_no": n, "sku": f"S{n}", "category": "女装", "unit_price": str(price), "quantity": qty,
                         "amount": str(price * qty)})
            total += price * qty
        by_coupon = D(coupon_value)
        by_points = min(D(points_used) / 10, total - by_coupon).quantize(D("0.1"), rounding=ROUND_DOWN)
        points = int(by_points * 10)
        by_wallet = min(((total - by_coupon - by_points) * wallet_share / 100).quantize(D("0.01")), D("2000.00"))  # what is held
        cash = total - by_coupon - by_points - by_wallet
        pays = [{"method": "coupon", "amount": str(by_coupon), "reference": coupon.code}]
        if points:
            pays.append({"method": "points", "amount": str(by_points.quantize(D("0.01"))), "points": points})
        if by_wallet:
            pays.append({"method": "stored_value", "amount": str(by_wallet)})
        if cash:
            pays.append({"method": "cash", "amount": str(cash)})
        sale = sale_post(actor=None, data={"store": "SA01", "receipt_no": "S", "occurred_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(),
                                           "member": {"mobile": member.mobile}, "lines": rows, "payments": pays,
                                           "amount_paid": str(total)}).sale

        money_back = D("0.00")
        for i, (kind, a, b) in enumerate(steps):
            sale.refresh_from_db()
            left = sale.amount - sale.returned_amount
            if left <= 0:
                break
            if kind == "line":
                line = sale.lines.order_by("line_no")[a % sale.lines.count()]
                pieces = min(b, line.quantity - line.returned_quantity)
                if pieces <= 0 or sale.returned_amount != sum(l.returned_amount for l in sale.lines.all()):
                    continue  # by lines only while every earlier return named its lines
                data = return_data("S", receipt_no=f"T{i}", lines=[{"line_no": line.line_no, "quantity": pieces}])
            else:
                part = (left * a / 100).quantize(D("0.01"))
                if part <= 0:
                    continue
                data = return_data("S", receipt_no=f"T{i}", amount=str(part))
            money_back += D(return_post(actor=None, data=data).data["refund"]["money"])
            sale.refresh_from_db()
            if sale.returned_amount < sale.amount:
                assert Coupon.objects.get(pk=coupon.pk).status == "used"  # not back before the whole receipt is
        sale.refresh_from_db()
        if sale.returned_amount < sale.amount:
            money_back += D(return_post(actor=None, data=return_data("S", receipt_no="TEND")).data["refund"]["money"])

        assert money_back == cash  # money back is exactly what money paid
        assert Coupon.objects.get(pk=coupon.pk).status == "issued"  # the coupon is back, once
        assert CouponEvent.objects.filter(coupon=coupon, kind="restore").count() == 1
        from vipdesk.points.models import PointsEntry
        note(str(list(PointsEntry.objects.filter(account__member=member).values_list("kind", "points", "sale__receipt_no"))))
        assert _snapshot(member) == before  # points and stored value exactly as before the sale
        assert points_recompute(member=member)["ok"] and wallet_recompute(member=member)["ok"]
        assert not Coupon.objects.filter(member=member, earned_by=sale, status="issued").exists()  # earned coupons revoked
        transaction.set_rollback(True)
