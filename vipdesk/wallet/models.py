"""Stored value (R6, 储值): one account per member, principal (本金) and bonus (赠送金) kept apart.

The balances of an account are the sums of its entries (`WalletEntry.principal`, `.bonus`);
`WalletAccount.principal` and `.bonus` cache them and are changed only in the transaction that
writes the entry, under a row lock on the account. CHECK constraints keep both ≥ 0 as a backstop.
Entries are append-only and each points at its source: a top-up, a sale (payment), a return
(reversal), a refund or an adjustment.

Supplementary cards (附属卡) have no account of their own: a sale identified by one is credited
to the holder's member, so it pays from the holder's account, within the card's own limits.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from vipdesk.core.models import AppendOnlyModel, TimeStampedModel

from .choices import EntryKind, SpendOrder, TopUpMethod


def _money(label, **kw):
    return models.DecimalField(label, max_digits=14, decimal_places=2, **kw)


class WalletPolicy(TimeStampedModel):
    """The chain-wide stored-value settings; one row (code "default"), created on first use."""

    code = models.CharField(max_length=20, unique=True, default="default")
    spend_order = models.CharField(_("spending order"), max_length=20, choices=SpendOrder.choices, default=SpendOrder.PROPORTIONAL)
    # 单用途商业预付卡管理办法: a named card holds at most 5,000 yuan, an anonymous one at most 1,000.
    named_limit = _money(_("limit of a named account (yuan)"), default=Decimal("5000.00"))
    anonymous_limit = _money(_("limit of an anonymous account (yuan)"), default=Decimal("1000.00"))
    limit_includes_bonus = models.BooleanField(_("bonus counts toward the limit"), default=False)
    no_pin_limit = _money(_("payments up to this amount need no PIN (yuan)"), default=Decimal("500.00"))
    # 003 篇6: paying by stored value earns a further discount. Stored here; the quote applies it.
    extra_discount_percent = models.DecimalField(_("extra discount when paying by stored value (%)"), max_digits=5,
                                                 decimal_places=2, default=Decimal("0.00"))

    class Meta:
        verbose_name = _("stored-value policy")
        verbose_name_plural = _("stored-value policies")
        constraints = [
            models.CheckConstraint(name="wallet_policy_limits_nonneg",
                                   condition=Q(named_limit__gte=0, anonymous_limit__gte=0, no_pin_limit__gte=0)),
            models.CheckConstraint(name="wallet_policy_discount_range",
                                   condition=Q(extra_discount_percent__gte=0, extra_discount_percent__lt=100)),
        ]

    def __str__(self):
        return self.code


class TopUpRule(TimeStampedModel):
    """Top-up bonus (003 篇8): a top-up of at least `threshold` earns `bonus`. Of the rules that
    apply (active, level, date window), the one with the highest threshold reached counts, once."""

    name = models.CharField(_("name"), max_length=60, blank=True)
    threshold = _money(_("top-up of at least (yuan)"))
    bonus = _money(_("bonus (yuan)"))
    level_code = models.CharField(_("tier level code"), max_length=20, blank=True)  # empty: every member
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # R6 / issue 4 §1: the gift may also be points or coupons, besides (or instead of) bonus money.
    gift_points = models.PositiveIntegerField(_("gift points"), default=0)
    gift_campaign = models.ForeignKey("coupons.Campaign", verbose_name=_("gift coupons of"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    gift_coupons = models.PositiveSmallIntegerField(_("gift coupons"), default=0)

    class Meta:
        ordering = ["threshold", "id"]
        verbose_name = _("top-up bonus rule")
        verbose_name_plural = _("top-up bonus rules")
        constraints = [
            models.CheckConstraint(name="wallet_rule_amounts", condition=Q(threshold__gt=0) & Q(bonus__gte=0)),
            models.CheckConstraint(name="wallet_rule_window_ordered",
                                   condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on"))),
        ]

    def __str__(self):
        return self.name or f"{self.threshold} → +{self.bonus}"


class WalletAccount(models.Model):
    member = models.OneToOneField("members.Member", on_delete=models.PROTECT, related_name="wallet")
    # The party that issued the stored value and holds the money (issue 13 §7): the franchisee of the
    # member's home store when the account was opened; empty = the directly run chain (HQ). Fixed for
    # the account's life: top-ups, payments, money paid out and refunds happen only at its stores.
    issuer = models.ForeignKey("org.Franchisee", verbose_name=_("issued by"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    principal = _money(_("principal"), default=Decimal("0.00"))
    bonus = _money(_("bonus"), default=Decimal("0.00"))
    # HQ may raise (or set) this member's limit; empty = the policy's limit. Changes: WalletLimitChange.
    limit_override = _money(_("limit set by HQ (yuan)"), null=True, blank=True)
    pin_hash = models.CharField(_("payment PIN"), max_length=128, blank=True)  # Django password hash; empty = no PIN
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stored-value account")
        verbose_name_plural = _("stored-value accounts")
        constraints = [
            models.CheckConstraint(name="wallet_principal_nonneg", condition=Q(principal__gte=0)),
            models.CheckConstraint(name="wallet_bonus_nonneg", condition=Q(bonus__gte=0)),
            models.CheckConstraint(name="wallet_limit_nonneg", condition=Q(limit_override__isnull=True) | Q(limit_override__gte=0)),
        ]

    def __str__(self):
        return f"{self.member_id}: {self.principal} + {self.bonus}"

    @property
    def balance(self) -> Decimal:
        return self.principal + self.bonus


class WalletEntry(AppendOnlyModel):
    ledger = "stored-value"
    account = models.ForeignKey(WalletAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    principal = _money(_("principal"))  # signed change of the principal
    bonus = _money(_("bonus"))          # signed change of the bonus
    business_date = models.DateField(_("business date"))
    created_at = models.DateTimeField(auto_now_add=True)
    store = models.ForeignKey("org.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The source: a top-up, a sale (payment) or return (reversal, and what of it was paid out in money
    # or forfeited), a refund, a withdrawal (bonus forfeited), or an adjustment (note + actor).
    topup = models.ForeignKey("TopUp", null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    sale = models.ForeignKey("sales.Sale", null=True, blank=True, on_delete=models.PROTECT, related_name="wallet_entries")
    refund = models.ForeignKey("WalletRefund", null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    card = models.ForeignKey("members.Card", null=True, blank=True, on_delete=models.PROTECT, related_name="+")  # card that paid
    note = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")


    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stored-value entry")
        verbose_name_plural = _("stored-value entries")
        indexes = [models.Index(fields=["account", "business_date"]), models.Index(fields=["card", "business_date"])]
        constraints = [
            # Backstops: one payment per receipt, one reversal (and one paying-out) per return, one entry
            # per top-up and refund.
            models.UniqueConstraint(fields=["sale", "kind"], name="wallet_entry_once_per_sale",
                                    condition=Q(kind__in=[EntryKind.PAY, EntryKind.RETURN_REVERSAL, EntryKind.RETURN_PAID_OUT])),
            models.UniqueConstraint(fields=["topup"], name="wallet_entry_once_per_topup", condition=Q(topup__isnull=False)),
            models.UniqueConstraint(fields=["refund"], name="wallet_entry_once_per_refund", condition=Q(refund__isnull=False)),
            models.CheckConstraint(name="wallet_entry_nonzero", condition=~Q(principal=0, bonus=0)),
        ]


class TopUp(models.Model):
    """One top-up as the till sent it: (store, reference) is unique; a retry with the same content
    answers `result` again, other content under the same reference is a conflict."""

    account = models.ForeignKey(WalletAccount, on_delete=models.PROTECT, related_name="topups")
    store = models.ForeignKey("org.Store", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("reference"), max_length=60)
    amount = _money(_("amount paid (principal)"))
    bonus = _money(_("bonus"), default=Decimal("0.00"))
    rule = models.ForeignKey(TopUpRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("paid by"), max_length=20, choices=TopUpMethod.choices, default=TopUpMethod.CASH)
    business_date = models.DateField(_("business date"))
    content_hash = models.CharField(max_length=64)
    result = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    api_client = models.ForeignKey("org.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("top-up")
        verbose_name_plural = _("top-ups")
        constraints = [
            models.UniqueConstraint(fields=["store", "reference"], name="wallet_topup_reference_unique"),
            models.CheckConstraint(name="wallet_topup_amounts", condition=Q(amount__gt=0) & Q(bonus__gte=0)),
        ]


class WalletRefund(models.Model):
    """Unused principal paid back (退卡/退款); the bonus goes in the same proportion (forfeited)."""

    account = models.ForeignKey(WalletAccount, on_delete=models.PROTECT, related_name="refunds")
    store = models.ForeignKey("org.Store", on_delete=models.PROTECT, related_name="+")
    principal = _money(_("principal refunded"))
    bonus_forfeited = _money(_("bonus forfeited"))
    reason = models.CharField(_("reason"), max_length=200)
    # The till's or console's reference: a refund sent twice (a double click, a retry) pays once.
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    business_date = models.DateField(_("business date"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    api_client = models.ForeignKey("org.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stored-value refund")
        verbose_name_plural = _("stored-value refunds")
        constraints = [
            models.CheckConstraint(name="wallet_refund_amounts", condition=Q(principal__gt=0) & Q(bonus_forfeited__gte=0)),
            models.UniqueConstraint(fields=["store", "reference"], condition=~Q(reference=""), name="wallet_refund_reference_once"),
        ]


class WalletLimitChange(models.Model):
    """HQ changed one member's limit: before, after, why and who (also an audit event)."""

    account = models.ForeignKey(WalletAccount, on_delete=models.PROTECT, related_name="limit_changes")
    before = _money(_("limit before"), null=True, blank=True)
    after = _money(_("limit after"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    api_client = models.ForeignKey("org.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class CardSpendLimit(models.Model):
    """What a supplementary card may spend from the holder's account: per payment and per business day."""

    card = models.OneToOneField("members.Card", on_delete=models.PROTECT, related_name="wallet_limit")
    per_payment = _money(_("at most per payment (yuan)"), null=True, blank=True)
    per_day = _money(_("at most per day (yuan)"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(name="wallet_card_limit_nonneg",
                                              condition=(Q(per_payment__isnull=True) | Q(per_payment__gte=0))
                                              & (Q(per_day__isnull=True) | Q(per_day__gte=0)))]
