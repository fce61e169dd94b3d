"""Serializers for the member and card API: the shape of input and output, nothing more.

Input serializers only check types and sizes; the rules (mobile ranges, ID checksum, birthday
not in the future, scope) live in `members/validation.py` and the services, so the API refuses
exactly what the console refuses, with the same messages.

Output serializers mask personal data unless the viewer may see it in full (R1.3).
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vipdesk.accounts.roles import Action, can
from vipdesk.core.masking import mask_email, mask_mobile, mask_name
from vipdesk.members.choices import (
    CardMedia, ConsentChannel, ConsentPurpose, ContactPreference, Gender, PromoReceptiveness, SourceChannel,
)
from vipdesk.members.validation import TEXT_LIMITS

# ---- input ------------------------------------------------------------------------------------


class PersonInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    birthday = serializers.DateField(required=False, allow_null=True)


class FamilyInSerializer(serializers.Serializer):
    spouse = PersonInSerializer(required=False, allow_null=True)
    children = PersonInSerializer(many=True, required=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ConsentInSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(ConsentPurpose.choices)
    channel = serializers.ChoiceField(ConsentChannel.choices)
    granted = serializers.BooleanField()


def _text(field: str, **kwargs) -> serializers.CharField:
    return serializers.CharField(max_length=TEXT_LIMITS[field], required=False, allow_blank=True, **kwargs)


def _choice(choices, **kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices, required=False, allow_blank=True, **kwargs)


class MemberWriteSerializer(serializers.Serializer):
    """Member file fields as in `members.validation.EDITABLE_FIELDS`; on PATCH send only what changes."""

    name = _text("name", help_text=_("Full name; a surname alone is enough."))
    gender = _choice(Gender.choices)
    ethnicity = _text("ethnicity")
    birthday = serializers.DateField(required=False, allow_null=True)
    lunar_birth_month = serializers.IntegerField(min_value=1, max_value=12, required=False, allow_null=True)
    lunar_birth_day = serializers.IntegerField(min_value=1, max_value=30, required=False, allow_null=True)
    lunar_birth_leap = serializers.BooleanField(required=False)
    mobile = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                   help_text=_("11-digit Chinese mainland mobile number."))
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    address = _text("address")
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True,
                                      help_text=_("18-character resident ID number (checked, stored encrypted)."))
    clothing_size = _text("clothing_size")
    shoe_size = _text("shoe_size")
    occupation = _text("occupation")
    family = FamilyInSerializer(required=False, allow_null=True)
    personality = _text("personality")
    consumption_habits = _text("consumption_habits")
    style_preferences = _text("style_preferences")
    hobbies = _text("hobbies")
    lifestyle = _text("lifestyle")
    preferred_contact = _choice(ContactPreference.choices)
    promo_receptiveness = _choice(PromoReceptiveness.choices)
    values = _text("values")
    source_channel = _choice(SourceChannel.choices)
    referrer = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True,
                                     help_text=_("Member number of the referrer."))
    home_store = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                       help_text=_("Store code; a store key files into its own store by default."))
    owner = serializers.CharField(max_length=150, required=False, allow_blank=True, allow_null=True,
                                  help_text=_("User name of the owning staff member."))
    tags = serializers.ListField(child=serializers.CharField(max_length=30), required=False, max_length=50)
    notes = _text("notes")


class MemberEnrolSerializer(MemberWriteSerializer):
    name = _text("name", help_text=_("Full name; a surname alone is enough."))
    mobile = serializers.CharField(max_length=20, help_text=_("11-digit Chinese mainland mobile number."))
    consents = ConsentInSerializer(many=True, required=False, max_length=10)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text=_("Why; kept in the audit trail."))


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CardIssueSerializer(serializers.Serializer):
    media = serializers.ChoiceField(CardMedia.choices, default=CardMedia.BARCODE)


class IdentityFactsSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    mobile = serializers.CharField(max_length=20, required=False, allow_blank=True)
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True)
    birthday = serializers.DateField(required=False, allow_null=True)
    card_number = serializers.CharField(max_length=40, required=False, allow_blank=True)


class CardReplaceSerializer(serializers.Serializer):
    facts = IdentityFactsSerializer(help_text=_("What the holder tells; at least two facts must match the file."))
    media = serializers.ChoiceField(CardMedia.choices, required=False)


class MemberSearchSerializer(serializers.Serializer):
    """Query parameters of the member list."""

    q = serializers.CharField(max_length=60, required=False, allow_blank=True,
                              help_text=_("Mobile, its last 4 digits, card number, member number or part of the name."))
    mobile = serializers.CharField(max_length=20, required=False, allow_blank=True, help_text=_("Full mobile number."))
    card = serializers.CharField(max_length=40, required=False, allow_blank=True, help_text=_("Card number or e-card code."))


# ---- output -----------------------------------------------------------------------------------


def sees_full(context) -> bool:
    request = context.get("request")
    return bool(request) and can(request.user, Action.SEE_FULL)


class CardSerializer(serializers.Serializer):
    number = serializers.CharField()
    media = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    principal = serializers.SerializerMethodField()
    issued_at = serializers.DateTimeField(allow_null=True)
    flagged_for_confiscation = serializers.BooleanField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_principal(self, card) -> str | None:
        return card.principal.number if card.principal_id else None


class ConsentSerializer(serializers.Serializer):
    purpose = serializers.CharField()
    channel = serializers.CharField()
    granted = serializers.BooleanField(allow_null=True, help_text=_("null: never asked."))
    at = serializers.DateTimeField(allow_null=True)
    source = serializers.CharField(allow_null=True)


class OwnerSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()


class MemberBriefSerializer(serializers.Serializer):
    """Who a card belongs to, masked like the member file."""

    id = serializers.IntegerField()
    member_no = serializers.CharField()
    status = serializers.CharField()
    name = serializers.SerializerMethodField()
    mobile = serializers.SerializerMethodField()
    home_store = serializers.CharField(source="home_store.code")
    masked = serializers.SerializerMethodField()

    def get_masked(self, member) -> bool:
        return not sees_full(self.context)

    def get_name(self, member) -> str:
        return member.name if sees_full(self.context) else mask_name(member.name)

    def get_mobile(self, member) -> str:
        return (member.mobile or "") if sees_full(self.context) else mask_mobile(member.mobile)


class MemberListSerializer(MemberBriefSerializer):
    """A search hit: enough to pick the right member at the counter. The full file is on
    GET /members/{id}/; keeping list rows short keeps the search fast at a million members."""

    gender = serializers.CharField()
    completeness = serializers.IntegerField(help_text=_("Profile completeness, 0–100."))
    cards = CardSerializer(many=True, read_only=True)

    def to_representation(self, member):
        # The declared fields above are the contract (and the schema); this builds the same dict
        # directly because DRF's field-by-field machinery costs ~0.5 ms a row, which is most of a
        # last-4 search at a million members (bench/member_lookup.py).
        full = sees_full(self.context)
        return {
            "id": member.pk, "member_no": member.member_no, "status": member.status,
            "name": member.name if full else mask_name(member.name),
            "mobile": (member.mobile or "") if full else mask_mobile(member.mobile),
            "home_store": member.home_store.code, "masked": not full,
            "gender": member.gender, "completeness": member.completeness,
            "cards": [
                {"number": c.number, "media": c.media, "kind": c.kind, "status": c.status,
                 "principal": c.principal.number if c.principal_id else None,
                 "issued_at": serializers.DateTimeField().to_representation(c.issued_at) if c.issued_at else None,
                 "flagged_for_confiscation": c.flagged_for_confiscation}
                for c in member.cards.all()
            ],
        }


class MemberSerializer(MemberBriefSerializer):
    """The member file as the API shows it. ID number and address only via `reveal`."""

    gender = serializers.CharField()
    email = serializers.SerializerMethodField()
    birthday = serializers.SerializerMethodField()
    ethnicity = serializers.CharField()
    clothing_size = serializers.CharField()
    shoe_size = serializers.CharField()
    occupation = serializers.CharField()
    personality = serializers.CharField()
    consumption_habits = serializers.CharField()
    style_preferences = serializers.CharField()
    hobbies = serializers.CharField()
    lifestyle = serializers.CharField()
    preferred_contact = serializers.CharField()
    promo_receptiveness = serializers.CharField()
    values = serializers.CharField()
    source_channel = serializers.CharField()
    owner = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    cards = serializers.SerializerMethodField()
    consents = serializers.SerializerMethodField()
    completeness = serializers.IntegerField(help_text=_("Profile completeness, 0–100."))
    total_spend = serializers.DecimalField(max_digits=14, decimal_places=2)
    last_purchase_at = serializers.DateTimeField(allow_null=True)
    enrolled_at = serializers.DateTimeField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.CharField(
        allow_blank=True, help_text=_("E-mail address; empty when none is on file. Masked (l***@example.com) unless the "
                                      "viewer may see personal data in full.")))
    def get_email(self, member) -> str:
        return member.email if sees_full(self.context) else mask_email(member.email)

    @extend_schema_field(serializers.DateField(allow_null=True, help_text=_("null when masked.")))
    def get_birthday(self, member):
        return member.birthday.isoformat() if member.birthday and sees_full(self.context) else None

    @extend_schema_field(OwnerSerializer(allow_null=True))
    def get_owner(self, member):
        if member.owner_id is None:
            return None
        return {"username": member.owner.username, "display_name": member.owner.display_name}

    def get_tags(self, member) -> list[str]:
        return sorted(t.name for t in member.tags.all())

    @extend_schema_field(CardSerializer(many=True))
    def get_cards(self, member):
        return CardSerializer(member.cards.all(), many=True).data

    @extend_schema_field(ConsentSerializer(many=True))
    def get_consents(self, member):
        # Latest row per (purpose, channel) from the prefetched rows; keeps the list at one query.
        state = {(p, c): None for p in ConsentPurpose.values for c in ConsentChannel.values}
        for row in sorted(member.consents.all(), key=lambda r: (r.at, r.id)):
            state[(row.purpose, row.channel)] = row
        rows = [
            {"purpose": p, "channel": c, "granted": row.granted if row else None, "at": row.at if row else None,
             "source": row.source if row else None}
            for (p, c), row in state.items()
        ]
        return ConsentSerializer(rows, many=True).data


class CardDetailSerializer(CardSerializer):
    member = MemberBriefSerializer()


class RevealSerializer(serializers.Serializer):
    name = serializers.CharField()
    mobile = serializers.CharField()
    email = serializers.CharField()
    address = serializers.CharField()
    id_number = serializers.CharField()
    birthday = serializers.CharField(help_text=_("YYYY-MM-DD or empty."))


class MemberRefSerializer(serializers.Serializer):
    """How a till names the member: exactly one of these (members/identification.py checks it)."""

    card = serializers.CharField(max_length=40, required=False, allow_blank=True, help_text=_("Card number as scanned."))
    ecard = serializers.CharField(max_length=40, required=False, allow_blank=True, help_text=_("E-card token (QR code)."))
    mobile = serializers.CharField(max_length=20, required=False, allow_blank=True, help_text=_("11-digit mobile number."))
    member_no = serializers.CharField(max_length=20, required=False, allow_blank=True, help_text=_("Member number."))
