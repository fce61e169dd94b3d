"""The member file (R1), consents, tags and cards (R2)."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vipdesk.accounts.scoping import restrict_members
from vipdesk.core import clock
from vipdesk.core.fields import EncryptedTextField
from vipdesk.core.models import TimeStampedModel

from .choices import (
    CardKind, CardMedia, CardStatus, ConsentChannel, ConsentPurpose, ConsentSource, ContactPreference,
    Gender, ImportStatus, MemberStatus, PromoReceptiveness, SourceChannel,
)


class Tag(TimeStampedModel):
    name = models.CharField(_("name"), max_length=30, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name


class MemberQuerySet(models.QuerySet):
    def restrict(self, principal, action: str = "view"):
        return restrict_members(self, principal, action)


class Member(TimeStampedModel):
    # identity in the programme
    member_no = models.CharField(_("member number"), max_length=20, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=MemberStatus.choices, default=MemberStatus.ACTIVE, db_index=True)

    # hard file (硬件档案)
    name = models.CharField(_("name"), max_length=60, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, default=Gender.UNKNOWN)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    lunar_birth_month = models.PositiveSmallIntegerField(_("lunar birth month"), null=True, blank=True)
    lunar_birth_day = models.PositiveSmallIntegerField(_("lunar birth day"), null=True, blank=True)
    lunar_birth_leap = models.BooleanField(_("lunar leap month"), default=False)
    mobile = models.CharField(_("mobile"), max_length=11, unique=True, null=True, blank=True)
    mobile_last4 = models.CharField(max_length=4, blank=True, db_index=True, editable=False)
    email = models.EmailField(_("e-mail"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    id_number = EncryptedTextField(_("ID number"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False)
    clothing_size = models.CharField(_("clothing size"), max_length=10, blank=True)
    shoe_size = models.CharField(_("shoe size"), max_length=10, blank=True)

    # soft file (软件档案)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    family = models.JSONField(_("family"), default=dict, blank=True)  # {"spouse": {...}, "children": [{...}]}
    personality = models.CharField(_("personality"), max_length=200, blank=True)
    consumption_habits = models.CharField(_("consumption habits"), max_length=200, blank=True)
    style_preferences = models.CharField(_("style preferences"), max_length=200, blank=True)
    hobbies = models.CharField(_("hobbies"), max_length=200, blank=True)
    lifestyle = models.CharField(_("lifestyle"), max_length=200, blank=True)
    preferred_contact = models.CharField(_("preferred service style"), max_length=10, choices=ContactPreference.choices, blank=True)
    promo_receptiveness = models.CharField(_("receptiveness to promotions"), max_length=10, choices=PromoReceptiveness.choices, blank=True)
    values = models.CharField(_("values"), max_length=200, blank=True)

    # relationship
    source_channel = models.CharField(_("source channel"), max_length=20, choices=SourceChannel.choices, default=SourceChannel.WALK_IN)
    referrer = models.ForeignKey("self", verbose_name=_("referrer"), null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals")
    home_store = models.ForeignKey("org.Store", verbose_name=_("home store"), on_delete=models.PROTECT, related_name="members")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_members")
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("enrolled by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    enrolled_at = models.DateTimeField(_("enrolled at"))
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="members")
    notes = models.TextField(_("notes"), blank=True)

    # figures kept by the transaction services (later issues); the ledgers are the truth
    total_spend = models.DecimalField(_("total spend"), max_digits=14, decimal_places=2, default=0)
    last_purchase_at = models.DateTimeField(_("last purchase"), null=True, blank=True)
    completeness = models.PositiveSmallIntegerField(_("profile completeness"), default=0)

    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], condition=~Q(id_number_hash=""), name="member_id_number_unique"),
            models.CheckConstraint(name="member_total_spend_nonneg", condition=Q(total_spend__gte=0)),
            models.CheckConstraint(name="member_completeness_range", condition=Q(completeness__lte=100)),
        ]
        indexes = [models.Index(fields=["home_store", "status"]), models.Index(fields=["owner", "status"])]

    def __str__(self):
        return f"{self.member_no} {self.name}"

    @property
    def is_withdrawn(self) -> bool:
        return self.status == MemberStatus.WITHDRAWN

    def age(self, on: dt.date | None = None) -> int | None:
        if not self.birthday:
            return None
        on = on or clock.today()  # the business date in Shanghai, not the server's UTC date
        return on.year - self.birthday.year - ((on.month, on.day) < (self.birthday.month, self.birthday.day))


class Consent(models.Model):
    """Append-only consent record: the latest row per (purpose, channel) is the member's choice."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=ConsentChannel.choices)
    granted = models.BooleanField(_("granted"))
    at = models.DateTimeField(_("time"), auto_now_add=True)
    source = models.CharField(_("source"), max_length=10, choices=ConsentSource.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["member", "purpose", "channel", "-at"])]


class Card(TimeStampedModel):
    number = models.CharField(_("card number"), max_length=32, unique=True)
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="cards")
    media = models.CharField(_("media"), max_length=10, choices=CardMedia.choices, default=CardMedia.BARCODE)
    kind = models.CharField(_("kind"), max_length=15, choices=CardKind.choices, default=CardKind.PRINCIPAL)
    principal = models.ForeignKey("self", verbose_name=_("principal card"), null=True, blank=True, on_delete=models.PROTECT, related_name="supplementaries")
    holder_name = models.CharField(_("holder name"), max_length=60, blank=True)
    holder_mobile = models.CharField(_("holder mobile"), max_length=11, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CardStatus.choices, default=CardStatus.PENDING, db_index=True)
    token = models.CharField(_("e-card token"), max_length=40, unique=True, null=True, blank=True)
    legacy_number = models.CharField(_("legacy card number"), max_length=40, blank=True, db_index=True)
    replaces = models.OneToOneField("self", verbose_name=_("replaces"), null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")
    issue_store = models.ForeignKey("org.Store", verbose_name=_("issuing store"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    flagged_for_confiscation = models.BooleanField(_("flagged for confiscation"), default=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        constraints = [
            models.CheckConstraint(
                name="card_supplementary_has_principal",
                condition=Q(kind=CardKind.PRINCIPAL, principal__isnull=True) | Q(kind=CardKind.SUPPLEMENTARY, principal__isnull=False),
            )
        ]

    def __str__(self):
        return self.number


class CardEvent(models.Model):
    """Every status change or notable act on a card (append-only)."""

    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    verb = models.CharField(max_length=30)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    api_client = models.ForeignKey("org.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("card event")
        verbose_name_plural = _("card events")


class ImportJob(TimeStampedModel):
    """A member import run: the file, the mapping, and the row-by-row report."""

    filename = models.CharField(_("file"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    dry_run = models.BooleanField(_("dry run"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices)
    mapping = models.JSONField(default=dict, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=list, blank=True)  # [{"row": 3, "field": "mobile", "message": "…"}]

    class Meta:
        ordering = ["-id"]
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")


class DormantCard(models.Model):
    """A card whose member bought nothing for N months (R2.6, 休眠卡), flagged by the daily part in
    members/dormancy.py; the row goes away when the member buys again or the card stops being active.
    A row beside the card rather than a column on it: the flag is the daily job's, not the card's state."""

    card = models.OneToOneField("members.Card", on_delete=models.CASCADE, related_name="dormancy")
    since = models.DateField(_("dormant since"))
    last_purchase_on = models.DateField(_("last purchase"), null=True, blank=True)

    class Meta:
        db_table = "sales_dormantcard"  # its first name, from when the sales app flagged dormancy
        verbose_name = _("dormant card")
        verbose_name_plural = _("dormant cards")


class EcardKey(models.Model):
    """The member's secret for the dynamic e-card code (TOTP, RFC 6238; members/ecard.py), encrypted at rest."""

    member = models.OneToOneField(Member, primary_key=True, on_delete=models.CASCADE, related_name="ecard_key")
    secret = EncryptedTextField(_("e-card secret"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("e-card key")
        verbose_name_plural = _("e-card keys")

    def __str__(self):
        return f"e-card key of {self.member_id}"
