"""Points (R5): earn rules as data, an append-only ledger with earning lots, a cached balance,
the redemption catalogue with per-store stock, and cross-franchisee settlement lines.

The balance of an account is the sum of its entries (`PointsEntry.points`); `PointsAccount.balance`
caches it and is changed only in the transaction that writes the entry, under a row lock on the
account. Debt (points taken back on a return after they were spent) is kept apart in
`PointsAccount.debt` = sum of `PointsEntry.debt`, so neither number ever goes below zero.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from vipdesk.core.models import AppendOnlyModel, TimeStampedModel

from .choices import (
    AdjustmentStatus, BonusAction, Collection, DebtPolicy, EntryKind, ExpiryKind, ItemKind, LimitPeriod, RedemptionChannel,
    RedemptionStatus, RuleKind, StockMove,
)


class PointsPolicy(TimeStampedModel):
    """The programme-wide points settings; one row (code "default"), created on first use."""

    code = models.CharField(max_length=20, unique=True, default="default")
    expiry_kind = models.CharField(_("expiry"), max_length=20, choices=ExpiryKind.choices, default=ExpiryKind.CALENDAR)
    expiry_n = models.PositiveIntegerField(_("validity (days or months)"), default=24)
    # Calendar clearing: points earned in year Y expire on month/day of year Y + years_after.
    clearing_month = models.PositiveSmallIntegerField(_("clearing month"), default=12)
    clearing_day = models.PositiveSmallIntegerField(_("clearing day"), default=31)
    clearing_years_after = models.PositiveSmallIntegerField(_("years after earning"), default=1)
    pending_days = models.PositiveIntegerField(_("pending days (return window)"), default=0)
    same_day_redeemable = models.BooleanField(_("points earned today may be redeemed today"), default=False)
    debt_policy = models.CharField(_("when spent points are taken back"), max_length=10, choices=DebtPolicy.choices, default=DebtPolicy.DEBT)
    # What one point is worth: liability, cash deduction on returns, and the POS points offset (100 points = 10 yuan).
    value_per_point = models.DecimalField(_("value per point (yuan)"), max_digits=8, decimal_places=4, default=Decimal("0.1000"))
    earn_on_points_paid = models.BooleanField(_("earn on the part paid with points"), default=False)
    # What else earns, by way of paying (rules.earning_share); money paid at the till always earns.
    # The stored-value principal is the member's own money, paid in earlier; the bonus is a gift and
    # coupons are the chain's money, so by default neither earns.
    earn_on_stored_value_principal = models.BooleanField(_("earn on stored-value principal paid"), default=True)
    earn_on_stored_value_bonus = models.BooleanField(_("earn on stored-value bonus paid"), default=False)
    earn_on_coupon_paid = models.BooleanField(_("earn on the part paid with coupons"), default=False)

    class Meta:
        verbose_name = _("points policy")
        verbose_name_plural = _("points policies")
        constraints = [
            models.CheckConstraint(name="points_policy_value_positive", condition=Q(value_per_point__gt=0)),
            models.CheckConstraint(name="points_policy_clearing_date", condition=Q(clearing_month__gte=1, clearing_month__lte=12,
                                                                                  clearing_day__gte=1, clearing_day__lte=31)),
        ]

    def __str__(self):
        return self.code


class EarnRule(TimeStampedModel):
    """One earn rule; `kind` picks the strategy in rules.py. New rules need no schema change."""

    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)
    active = models.BooleanField(_("active"), default=True)
    yuan_per_point = models.DecimalField(_("yuan per point"), max_digits=10, decimal_places=2, null=True, blank=True)
    multiplier = models.DecimalField(_("multiplier"), max_digits=6, decimal_places=2, default=Decimal("1.00"))
    level_code = models.CharField(_("tier level code"), max_length=20, blank=True)
    category = models.CharField(_("category"), max_length=60, blank=True)
    brand = models.CharField(_("brand"), max_length=60, blank=True)
    store = models.ForeignKey("org.Store", verbose_name=_("store"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=BonusAction.choices, blank=True)
    bonus_points = models.PositiveIntegerField(_("bonus points"), default=0)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("earn rule")
        verbose_name_plural = _("earn rules")
        constraints = [
            models.CheckConstraint(name="earn_rule_multiplier_nonneg", condition=Q(multiplier__gte=0)),
            models.CheckConstraint(name="earn_rule_base_has_rate",
                                   condition=~Q(kind=RuleKind.BASE) | Q(yuan_per_point__gt=0)),
            models.CheckConstraint(name="earn_rule_window_ordered",
                                   condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on"))),
        ]

    def __str__(self):
        return self.name or f"{self.get_kind_display()} #{self.pk}"


class PointsAccount(models.Model):
    member = models.OneToOneField("members.Member", on_delete=models.PROTECT, related_name="points_account")
    balance = models.IntegerField(_("balance"), default=0)
    debt = models.IntegerField(_("debt"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(name="points_balance_nonneg", condition=Q(balance__gte=0)),
            models.CheckConstraint(name="points_debt_nonneg", condition=Q(debt__gte=0)),
        ]

    def __str__(self):
        return f"{self.member_id}: {self.balance}"


class PointsEntry(AppendOnlyModel):
    ledger = "points"
    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    points = models.IntegerField(_("points"))  # signed change of the balance
    debt = models.IntegerField(_("debt"), default=0)  # signed change of the debt
    business_date = models.DateField(_("business date"))
    created_at = models.DateTimeField(auto_now_add=True)
    store = models.ForeignKey("org.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The source of the entry (R5.2): a receipt, a redemption, an adjustment, a lot (expiry) or an action.
    sale = models.ForeignKey("sales.Sale", null=True, blank=True, on_delete=models.PROTECT, related_name="points_entries")
    redemption = models.ForeignKey("Redemption", null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    adjustment = models.ForeignKey("PointsAdjustment", null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    lot = models.ForeignKey("PointsLot", null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    action = models.CharField(max_length=20, blank=True)
    note = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")


    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        indexes = [models.Index(fields=["account", "business_date"])]
        constraints = [
            # Backstops against double awards: one earn / spend / reversal / refund per receipt.
            models.UniqueConstraint(fields=["sale", "kind"], name="points_entry_once_per_sale",
                                    condition=Q(kind__in=[EntryKind.EARN, EntryKind.SPEND, EntryKind.RETURN_REVERSAL, EntryKind.RETURN_REFUND])),
            # The registration bonus is given once per member (points.receivers).
            models.UniqueConstraint(fields=["account"], name="points_entry_registration_once",
                                    condition=Q(kind=EntryKind.BONUS, action=BonusAction.REGISTRATION)),
        ]


class PointsLot(models.Model):
    """Points earned together: where (store, franchisee), when usable, until when, and how many are left."""

    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="lots")
    store = models.ForeignKey("org.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    franchisee = models.ForeignKey("org.Franchisee", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sale = models.ForeignKey("sales.Sale", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    earned_on = models.DateField(_("earned on"))
    available_on = models.DateField(_("usable from"))
    expires_on = models.DateField(_("expires after"), null=True, blank=True)  # last usable business date
    original = models.PositiveIntegerField(_("points"))
    remaining = models.IntegerField(_("remaining"))
    pending = models.BooleanField(default=False)  # cached by the daily job; usability is decided by available_on

    class Meta:
        ordering = ["expires_on", "earned_on", "id"]
        verbose_name = _("points lot")
        verbose_name_plural = _("points lots")
        indexes = [
            models.Index(fields=["account", "expires_on"]),
            # The daily job looks only at lots with points left (expiry) or still pending (unlock);
            # partial indexes keep that to the few due rows among millions of spent or expired lots.
            models.Index(fields=["expires_on"], condition=Q(remaining__gt=0), name="points_lot_live_expiry"),
            models.Index(fields=["available_on"], condition=Q(pending=True), name="points_lot_pending_unlock"),
        ]
        constraints = [
            models.CheckConstraint(name="points_lot_remaining_within",
                                   condition=Q(remaining__gte=0) & Q(remaining__lte=F("original"))),
        ]


class LotUse(models.Model):
    """How many points of which lot paid for a spend or a redemption, and the value they paid.
    Refunds restore the same lots; settlement lines are drawn from these rows."""

    lot = models.ForeignKey(PointsLot, on_delete=models.PROTECT, related_name="uses")
    entry = models.ForeignKey(PointsEntry, on_delete=models.PROTECT, related_name="lot_uses")
    points = models.IntegerField()  # negative when a refund restores points to the lot
    value = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    refund_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds")

    class Meta:
        constraints = [models.CheckConstraint(name="lot_use_nonzero", condition=~Q(points=0))]


class PointsAdjustment(TimeStampedModel):
    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="adjustments")
    points = models.IntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=200)
    store = models.ForeignKey("org.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=AdjustmentStatus.choices, default=AdjustmentStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("points adjustment")
        verbose_name_plural = _("points adjustments")
        constraints = [models.CheckConstraint(name="points_adjustment_nonzero", condition=~Q(points=0))]


# ---- redemption catalogue -------------------------------------------------------------------

class RedemptionItem(TimeStampedModel):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    points = models.PositiveIntegerField(_("points"))
    value = models.DecimalField(_("value (yuan)"), max_digits=14, decimal_places=2)  # what the member receives
    months = models.JSONField(_("redeemable in months"), default=list, blank=True)  # [] = any month; [3, 8] = March and August
    limit_per_member = models.PositiveIntegerField(_("limit per member"), null=True, blank=True)
    limit_period = models.CharField(_("limit period"), max_length=10, choices=LimitPeriod.choices, default=LimitPeriod.EVER)
    tracks_stock = models.BooleanField(_("stock kept per store"), default=True)
    fulfilment = models.CharField(_("fulfilment adapter"), max_length=30, blank=True)  # virtual goods
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["points", "code"]
        verbose_name = _("redemption item")
        verbose_name_plural = _("redemption catalogue")
        constraints = [
            models.CheckConstraint(name="redemption_item_points_positive", condition=Q(points__gt=0) & Q(value__gte=0)),
        ]

    def __str__(self):
        return f"{self.name} ({self.points})"


class ItemStock(models.Model):
    """Stock of one item at one store, or at the HQ warehouse (store empty)."""

    item = models.ForeignKey(RedemptionItem, on_delete=models.PROTECT, related_name="stock")
    store = models.ForeignKey("org.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    on_order = models.IntegerField(default=0)
    on_hand = models.IntegerField(default=0)
    in_transit = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "store"], name="item_stock_unique"),
            models.UniqueConstraint(fields=["item"], condition=Q(store__isnull=True), name="item_stock_one_warehouse"),
            models.CheckConstraint(name="item_stock_nonneg", condition=Q(on_order__gte=0, on_hand__gte=0, in_transit__gte=0)),
        ]


class StockMovement(models.Model):
    item = models.ForeignKey(RedemptionItem, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("movement"), max_length=12, choices=StockMove.choices)
    store = models.ForeignKey("org.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    redemption = models.ForeignKey("Redemption", null=True, blank=True, on_delete=models.PROTECT, related_name="movements")
    note = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(name="stock_movement_positive", condition=Q(quantity__gt=0))]


class Redemption(TimeStampedModel):
    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="redemptions")
    item = models.ForeignKey(RedemptionItem, on_delete=models.PROTECT, related_name="redemptions")
    store = models.ForeignKey("org.Store", on_delete=models.PROTECT, related_name="+")
    card = models.ForeignKey("members.Card", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    points = models.PositiveIntegerField()
    value = models.DecimalField(max_digits=14, decimal_places=2)
    business_date = models.DateField()
    status = models.CharField(max_length=10, choices=RedemptionStatus.choices, default=RedemptionStatus.DONE)
    fulfilment_code = models.CharField(_("code issued"), max_length=100, blank=True)
    # The till's own id for the request: a retry with the same reference gets the first redemption back.
    reference = models.CharField(_("till reference"), max_length=60, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The answer the till was given (the balance right after, the item's name then): a retry gets it again.
    result = models.JSONField(default=dict, blank=True)
    # The points mall (portal): where the order came from, and a gift's collection at the chosen store.
    channel = models.CharField(_("channel"), max_length=10, choices=RedemptionChannel.choices, default=RedemptionChannel.TILL)
    collection = models.CharField(_("collection"), max_length=12, choices=Collection.choices, default=Collection.NONE, blank=True)
    collected_at = models.DateTimeField(_("collected at"), null=True, blank=True)
    collected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        indexes = [models.Index(fields=["account", "item", "business_date"]),
                   models.Index(fields=["store", "collection"], condition=Q(collection="to_collect"), name="redemption_to_collect")]
        constraints = [models.UniqueConstraint(fields=["store", "reference"], condition=~Q(reference=""),
                                               name="redemption_reference_unique_per_store"),
                       models.CheckConstraint(name="redemption_collected_dated",
                                              condition=~Q(collection="collected") | Q(collected_at__isnull=False))]

    @property
    def order_status(self) -> str:
        """The order's status as the member and staff read it: to collect, collected, cancelled, or redeemed."""
        if self.status == RedemptionStatus.CANCELLED:
            return RedemptionStatus.CANCELLED
        return self.collection or RedemptionStatus.DONE


class SettlementLine(models.Model):
    """R5.5: points issued under one franchisee (issuer; empty = the directly run chain) paid for
    value at another (redeemer): the issuer owes the redeemer `value`. Negative on a refund."""

    period = models.CharField(max_length=7)  # YYYY-MM of the business date
    business_date = models.DateField()
    issuer = models.ForeignKey("org.Franchisee", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    redeemer = models.ForeignKey("org.Franchisee", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    issuer_store = models.ForeignKey("org.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    redeemer_store = models.ForeignKey("org.Store", on_delete=models.PROTECT, related_name="+")
    points = models.IntegerField()
    value = models.DecimalField(max_digits=14, decimal_places=2)
    lot_use = models.OneToOneField(LotUse, on_delete=models.PROTECT, related_name="settlement")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["period", "id"]
        indexes = [models.Index(fields=["period"])]


class PartnerSpend(models.Model):
    """A partner merchant's report of what a member spent there (异业联盟, R5.1): the partner's own
    reference makes a report once-only, and the bonus entry it earned is linked here."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="partner_spends")
    partner = models.CharField(_("partner"), max_length=60)
    reference = models.CharField(_("partner's reference"), max_length=60)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    spent_on = models.DateField(_("spent on"))
    points = models.PositiveIntegerField(_("points"), default=0)
    entry = models.OneToOneField(PointsEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="partner_spend")
    store = models.ForeignKey("org.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("partner spend")
        verbose_name_plural = _("partner spends")
        constraints = [
            models.UniqueConstraint(fields=["partner", "reference"], name="partner_spend_once_per_reference"),
            models.CheckConstraint(name="partner_spend_amount_positive", condition=Q(amount__gt=0)),
        ]
