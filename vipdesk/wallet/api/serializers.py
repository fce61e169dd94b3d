"""Shapes of the stored-value endpoints. Amounts are decimal strings in yuan ("3000.00"). Input
serializers check types and sizes only; the rules live in vipdesk.wallet.services."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from vipdesk.members.api.serializers import MemberRefSerializer
from vipdesk.wallet.choices import TopUpMethod


class _Money(serializers.DecimalField):
    """Money as a string ("3000.00") or a whole number, never a JSON float (binary fractions are not money)."""

    default_error_messages = {"float": _('Send money as a string such as "3000.00", not as a JSON number with a fraction.')}

    def to_internal_value(self, data):
        if isinstance(data, float):
            self.fail("float")
        return super().to_internal_value(data)


def _money(**kw):
    return _Money(max_digits=14, decimal_places=2, coerce_to_string=True, **kw)


class TopUpInSerializer(serializers.Serializer):
    store = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                  help_text=_("Store code; a store terminal tops up at its own store and may leave it out."))
    member = MemberRefSerializer(help_text=_("Exactly one of card, ecard, mobile, member_no."))
    amount = _money(min_value=0, help_text=_("Yuan paid by the member: all of it becomes principal."))
    reference = serializers.CharField(max_length=60, help_text=_("The till's own reference, unique per store; "
                                                                 "sending it again returns the first result."))
    method = serializers.ChoiceField(TopUpMethod.choices, required=False, default=TopUpMethod.CASH,
                                     help_text=_("How the member paid for the top-up."))


class BalanceSerializer(serializers.Serializer):
    principal = serializers.CharField(help_text=_("本金: money the member paid in, still unused."))
    bonus = serializers.CharField(help_text=_("赠送金: bonus given on top-ups, still unused."))
    balance = serializers.CharField(help_text=_("principal + bonus."))


class TopUpOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    store = serializers.CharField()
    member = serializers.DictField()
    business_date = serializers.DateField()
    method = serializers.CharField()
    amount = serializers.CharField()
    bonus = serializers.CharField(help_text=_("Bonus of the highest top-up rule reached; 0.00 when none applies."))
    rule = serializers.CharField(allow_null=True)
    entry = serializers.IntegerField()
    stored_value = BalanceSerializer()
    limit = serializers.CharField(help_text=_("The account's limit on principal (yuan)."))
    replayed = serializers.BooleanField()


class RefundInSerializer(serializers.Serializer):
    store = serializers.CharField(max_length=20, required=False, allow_blank=True)
    member = MemberRefSerializer(help_text=_("Exactly one of card, ecard, mobile, member_no."))
    amount = _money(min_value=0, required=False, help_text=_("Principal to refund; leave out to refund all of it."))
    reason = serializers.CharField(max_length=200)
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True,
                                      help_text=_("The till's reference, unique per store: sent again, the refund is paid once."))


class RefundOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    store = serializers.CharField()
    business_date = serializers.DateField()
    principal = serializers.CharField(help_text=_("Principal paid back to the member."))
    bonus_forfeited = serializers.CharField(help_text=_("Bonus forfeited in the same proportion."))
    stored_value = BalanceSerializer()
    reference = serializers.CharField()
    replayed = serializers.BooleanField(help_text=_("True when this reference was refunded before: the first refund, not a new one."))


class EntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    business_date = serializers.DateField()
    principal = serializers.CharField()
    bonus = serializers.CharField()
    amount = serializers.CharField()
    store = serializers.CharField(allow_null=True)
    source = serializers.DictField(allow_null=True)
    note = serializers.CharField()


class WalletSerializer(BalanceSerializer):
    limit = serializers.CharField(help_text=_("Most principal the account may hold (named 5000, anonymous 1000 unless HQ raised it)."))
    named = serializers.BooleanField()
    limit_raised = serializers.BooleanField()
    pin_set = serializers.BooleanField()
    no_pin_limit = serializers.CharField()
    extra_discount_percent = serializers.CharField(help_text=_("Further discount when paying by stored value (applied by the quote)."))
    spend_order = serializers.CharField()
    entries = EntrySerializer(many=True, help_text=_("Most recent first."))
