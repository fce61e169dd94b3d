"""Shapes of the POS endpoints. Input serializers check types and sizes only; the rules (line
arithmetic, payments adding up, scope, idempotency) live in till/validation.py and the services,
so the API refuses exactly what the cashier screen and imports refuse, with the same messages."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vipdesk.members.api.serializers import MemberRefSerializer
from vipdesk.sales.choices import PaymentMethod


class MoneyField(serializers.DecimalField):
    """Money as a string ("128.00") or a whole number; a JSON float (128.0, 0.1) is refused, since
    binary fractions are not money (the rule of till/validation.py, kept at the API's door)."""

    def to_internal_value(self, data):
        if isinstance(data, float):
            self.fail("float")
        return super().to_internal_value(data)

    default_error_messages = {"float": _('Send money as a string such as "128.00", not as a JSON number with a fraction.')}


def _money(**kw):
    return MoneyField(max_digits=14, decimal_places=2, min_value=0, coerce_to_string=True, **kw)


def _text(n: int, **kw):
    return serializers.CharField(max_length=n, required=False, allow_blank=True, **kw)


class SaleLineInSerializer(serializers.Serializer):
    line_no = serializers.IntegerField(min_value=1, max_value=32767, required=False, help_text=_("Default: position in the list."))
    sku = serializers.CharField(max_length=40)
    name = _text(100)
    brand = _text(60)
    category = _text(60)
    style_no = _text(40)
    size = _text(20)
    colour = _text(20)
    unit_price = _money()
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)
    amount = _money(help_text=_("unit_price × quantity, rounded to the fen."))


class PaymentInSerializer(serializers.Serializer):
    method = serializers.ChoiceField(PaymentMethod.choices)
    amount = _money()
    points = serializers.IntegerField(min_value=0, max_value=10**9, required=False, help_text=_("Only for method=points."))
    reference = _text(60)
    pin = serializers.CharField(max_length=12, required=False, write_only=True, trim_whitespace=True,
                                help_text=_("Stored-value payment PIN, when the account has one and the amount is above the no-PIN limit."))


class SalePostSerializer(serializers.Serializer):
    store = _text(20, help_text=_("Store code; a store terminal posts for its own store and may leave it out."))
    terminal = _text(40)
    receipt_no = serializers.CharField(max_length=40, help_text=_("Unique per store; posting it again returns the first result."))
    occurred_at = serializers.DateTimeField(help_text=_("When the sale happened (ISO 8601 with offset)."))
    guide = _text(150, help_text=_("User name of the shopping guide."))
    member = MemberRefSerializer(required=False, allow_null=True, help_text=_("Exactly one of card, ecard, mobile, member_no."))
    lines = SaleLineInSerializer(many=True, min_length=1, max_length=500)
    payments = PaymentInSerializer(many=True, max_length=20)
    amount_paid = _money()


class QuoteCommitSerializer(serializers.Serializer):
    """A sale that commits a checkout quote: the quote gives the lines, coupons, points and stored value."""

    quote = serializers.UUIDField(help_text=_("The id of a quote from POST /api/v1/quotes/."))
    terminal = _text(40)
    receipt_no = serializers.CharField(max_length=40)
    occurred_at = serializers.DateTimeField(required=False)
    guide = _text(150)
    pin = serializers.CharField(max_length=12, required=False, write_only=True)
    payments = PaymentInSerializer(many=True, max_length=20, required=False)


class OriginalRefSerializer(serializers.Serializer):
    store = _text(20, help_text=_("Store of the original sale; default: the returning store."))
    receipt_no = serializers.CharField(max_length=40)


class ReturnLineInSerializer(serializers.Serializer):
    line_no = serializers.IntegerField(min_value=1, max_value=32767, help_text=_("Line number on the original receipt."))
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)


class ReturnPostSerializer(serializers.Serializer):
    store = _text(20, help_text=_("Store code; a store terminal posts for its own store and may leave it out."))
    terminal = _text(40)
    receipt_no = serializers.CharField(max_length=40, help_text=_("The return's own receipt number, unique per store."))
    occurred_at = serializers.DateTimeField()
    original = OriginalRefSerializer()
    lines = ReturnLineInSerializer(many=True, required=False, max_length=500,
                                   help_text=_("Lines and quantities returned; leave out lines and amount for a full return."))
    amount = _money(required=False, help_text=_("Return by amount instead of lines."))
    payments = PaymentInSerializer(many=True, required=False, max_length=20, help_text=_("Refund tenders; must add up to the returned amount less the part paid by points (which comes back as points)."))


class RedemptionInSerializer(serializers.Serializer):
    member = MemberRefSerializer(help_text=_("Exactly one of card, ecard, mobile, member_no."))
    item_code = serializers.CharField(max_length=40)
    quantity = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    store = _text(20, help_text=_("Store code; a store terminal redeems in its own store."))
    reference = _text(60, help_text=_("The till's id for this request: a retry with the same reference returns the first redemption."))


class CollectInSerializer(serializers.Serializer):
    member = MemberRefSerializer(help_text=_("The member collecting the gift: exactly one of card, ecard, mobile, member_no."))


class CollectOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item_code = serializers.CharField()
    item_name = serializers.CharField()
    store = serializers.CharField()
    quantity = serializers.IntegerField()
    points = serializers.IntegerField()
    status = serializers.CharField(help_text=_("collected"))
    collected_at = serializers.DateTimeField()


# ---- output ------------------------------------------------------------------------------------

class MemberShortSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    member_no = serializers.CharField()


class LevelSerializer(serializers.Serializer):
    code = serializers.CharField()
    rank = serializers.IntegerField()
    name = serializers.CharField()
    is_vip = serializers.BooleanField()


class TierChangeSerializer(serializers.Serializer):
    before = LevelSerializer(allow_null=True)
    after = LevelSerializer(allow_null=True)
    changed = serializers.BooleanField()
    awaiting_approval = LevelSerializer(required=False, help_text=_("Qualified for this level; HQ approval pending."))


class PointsOutcomeSerializer(serializers.Serializer):
    earned = serializers.IntegerField(required=False, help_text=_("Sales: points earned."))
    pending = serializers.BooleanField(required=False, help_text=_("Sales: earned points wait for the return window."))
    spent = serializers.IntegerField(required=False, help_text=_("Sales: points that paid."))
    reversed = serializers.IntegerField(required=False, help_text=_("Returns: earned points taken back."))
    refunded = serializers.IntegerField(required=False, help_text=_("Returns: paid points given back."))
    debt = serializers.IntegerField(required=False, help_text=_("Returns: points owed because they were already spent."))
    balance = serializers.IntegerField(required=False, help_text=_("Points balance after this posting."))
    points_debt = serializers.IntegerField(required=False, help_text=_("Points owed after this posting."))
    cash_deduction = serializers.DecimalField(max_digits=14, decimal_places=2, required=False,
                                              help_text=_("Returns: yuan to keep back from the refund (cash policy)."))


class OriginalOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    store = serializers.CharField()
    receipt_no = serializers.CharField()
    returned_amount = serializers.DecimalField(max_digits=14, decimal_places=2)


def _yuan(help_text, **kw):
    return serializers.DecimalField(max_digits=14, decimal_places=2, help_text=help_text, **kw)


class ReturnRefundSerializer(serializers.Serializer):
    """How a return pays back (yuan): `money` at the till, the rest as points, stored value, coupons."""

    money = _yuan(_("What the till pays back in money, stored value paid out above the limit included."))
    by_points = _yuan(_("Paid back as points."))
    by_stored_value = _yuan(_("The receipt's stored-value share of this return."))
    stored_value_to_account = _yuan(_("Of it, back into the stored-value account."), required=False)
    stored_value_paid_out = _yuan(_("Of it, principal paid back in money (the account's limit had no room, or the member "
                                    "withdrew); included in money."), required=False)
    stored_value_bonus_forfeited = _yuan(_("Of it, bonus not kept (limit including the bonus, or the member withdrew)."),
                                         required=False)
    by_coupon = _yuan(_("The coupons' share, never paid back in money."))
    coupon_charge_back = _yuan(_("Coupon value charged back from the money."))


class BenefitSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    value = serializers.CharField(allow_null=True)
    unit = serializers.CharField(allow_blank=True)
    quota = serializers.IntegerField(allow_null=True)
    period = serializers.CharField(allow_blank=True)


class StoredValueSerializer(serializers.Serializer):
    principal = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("Principal (本金) left after this posting."))
    bonus = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("Bonus (赠送金) left after this posting."))
    balance = serializers.DecimalField(max_digits=14, decimal_places=2)


class EarnedCouponSerializer(serializers.Serializer):
    code = serializers.CharField()
    campaign = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    face_value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    discount_zhe = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    threshold = serializers.DecimalField(max_digits=14, decimal_places=2)
    status = serializers.CharField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    issued_on = serializers.DateField()
    used_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class ReturnCouponsSerializer(serializers.Serializer):
    revoked = serializers.ListField(child=serializers.CharField())
    restored = serializers.ListField(child=serializers.CharField())
    not_restored_expired = serializers.ListField(child=serializers.CharField())
    charged_back = serializers.DecimalField(max_digits=14, decimal_places=2)


class PostingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField([("sale", "sale"), ("return", "return")])
    store = serializers.CharField()
    receipt_no = serializers.CharField()
    business_date = serializers.DateField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    amount_paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    member = MemberShortSerializer(allow_null=True)
    points = PointsOutcomeSerializer(allow_null=True, help_text=_("null when no member was identified."))
    tier = TierChangeSerializer(allow_null=True)
    benefits = BenefitSerializer(many=True, help_text=_("The benefits of the member's level after the posting."))
    stored_value = StoredValueSerializer(required=False, help_text=_("Members only: stored value after the posting."))
    coupons_used = serializers.ListField(child=serializers.CharField(), required=False, help_text=_("Sales: coupon codes that paid."))
    coupons_earned = EarnedCouponSerializer(many=True, required=False, help_text=_("Sales: coupons the sale earned."))
    coupons = ReturnCouponsSerializer(required=False, help_text=_("Returns: what happened to the coupons of the sale."))
    original = OriginalOutSerializer(required=False, help_text=_("Returns only."))
    refund = ReturnRefundSerializer(required=False, help_text=_("Returns: how the returned amount is paid back."))
    replayed = serializers.BooleanField(help_text=_("true: this receipt was posted before; this is the first result again."))


class AttachedSerializer(PostingSerializer):
    """A sale credited afterwards: the posting's result, now with the member's points and tier."""

    replayed = None


class RedemptionOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item_code = serializers.CharField()
    item_name = serializers.CharField()
    store = serializers.CharField()
    quantity = serializers.IntegerField()
    points = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    business_date = serializers.DateField()
    status = serializers.CharField()
    fulfilment_code = serializers.CharField(help_text=_("Code issued for a virtual item; empty otherwise."))
    balance = serializers.IntegerField(help_text=_("Points balance after the redemption."))
    reference = serializers.CharField()
    replayed = serializers.BooleanField(help_text=_("True when this answers a retry of an earlier request."))


class AttachSerializer(serializers.Serializer):
    store = _text(20, help_text=_("Store of the receipt; a store terminal may leave it out."))
    receipt_no = serializers.CharField(max_length=40)
    member = MemberRefSerializer(help_text=_("Exactly one of card, ecard, mobile, member_no."))


# ---- a member's points and tier (GET /members/{id}/points/, …/tier/) ----------------------------

class NextExpirySerializer(serializers.Serializer):
    date = serializers.DateField()
    points = serializers.IntegerField(help_text=_("Points expiring on that date."))


class LotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    store = serializers.CharField(allow_null=True, help_text=_("Store where the points were earned."))
    earned_on = serializers.DateField()
    available_on = serializers.DateField()
    expires_on = serializers.DateField(allow_null=True, help_text=_("null: never expires."))
    original = serializers.IntegerField()
    remaining = serializers.IntegerField()
    pending = serializers.BooleanField(help_text=_("Still in the return window: not usable yet."))


class PointsEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text=_("e.g. earn, redeem, expire, return_reversal."))
    kind_display = serializers.CharField()
    points = serializers.IntegerField()
    debt = serializers.IntegerField()
    business_date = serializers.DateField()
    store = serializers.CharField(allow_null=True)
    receipt_no = serializers.CharField(allow_null=True)
    item = serializers.CharField(allow_null=True, help_text=_("Redemptions: the catalogue item."))
    note = serializers.CharField(allow_blank=True)


class MemberPointsSerializer(serializers.Serializer):
    balance = serializers.IntegerField()
    available = serializers.IntegerField(help_text=_("Unexpired points past the return window."))
    redeemable_today = serializers.IntegerField(help_text=_("What a redemption may take today."))
    pending = serializers.IntegerField(help_text=_("Points still in the return window."))
    debt = serializers.IntegerField(help_text=_("Points owed because they were spent before a return."))
    next_expiry = NextExpirySerializer(allow_null=True)
    lots = LotSerializer(many=True, help_text=_("Lots with points left, in the order they are used."))
    history = PointsEntrySerializer(many=True, help_text=_("Recent ledger entries, newest first."))


@extend_schema_field({"anyOf": [{"type": "string"}, {"type": "boolean"}], "nullable": True,
                      "description": _("Amounts as \"1234.00\", counts as \"3\"; manual approval: true or false.")})
class FigureField(serializers.Field):
    pass


class GapSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    months = serializers.IntegerField(allow_null=True)
    target = FigureField()
    current = FigureField()
    short = FigureField()
    met = serializers.BooleanField()
    by = serializers.DateField(allow_null=True)


def _options():
    return serializers.ListField(child=GapSerializer(many=True),
                                 help_text=_("Groups of conditions; with mode any, meeting every condition of one group is enough."))


class NextLevelSerializer(serializers.Serializer):
    level = LevelSerializer()
    mode = serializers.CharField()
    options = _options()


class KeepLevelSerializer(serializers.Serializer):
    policy = serializers.CharField()
    policy_label = serializers.CharField()
    guaranteed = serializers.BooleanField()
    evaluated_on = serializers.DateField(allow_null=True)
    override_until = serializers.DateField(allow_null=True)
    mode = serializers.CharField(required=False)
    options = _options()


class TierHistorySerializer(serializers.Serializer):
    on = serializers.DateField()
    to = serializers.CharField(allow_null=True)
    reason = serializers.CharField()
    reason_label = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    receipt = serializers.CharField(allow_null=True)

    def get_fields(self):
        # "from" is a Python keyword, so it cannot be declared above.
        return {"from": serializers.CharField(allow_null=True), **super().get_fields()}


class MemberTierSerializer(serializers.Serializer):
    programme = serializers.CharField(allow_null=True, help_text=_("null: no tier programme is active."))
    current = LevelSerializer(allow_null=True)
    reached_on = serializers.DateField(allow_null=True, required=False)
    next = NextLevelSerializer(allow_null=True)
    keep = KeepLevelSerializer(allow_null=True)
    history = TierHistorySerializer(many=True, required=False, help_text=_("The last 20 level changes, newest first."))
