"""Forms of the member screens: the member file, reveal, cards, withdrawal, import and export (R1, R2).
They collect raw input only: the services validate (one path for every entry point), and their
per-field messages are put back on these forms."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Role
from vipdesk.core.masking import mask_email, mask_id_number, mask_mobile, mask_name, mask_text
from vipdesk.members.choices import (
    CardMedia, ConsentChannel, ConsentPurpose, ContactPreference, Gender, PromoReceptiveness, SourceChannel,
)
from vipdesk.members.columns import FIELD_LABELS
from vipdesk.org.models import Store
from vipdesk.org.scoping import stores_in_scope

from ..forms import BLANK, ServiceErrorsMixin, _text

CHILD_SLOTS = 3
# Personal data a viewer without SEE_FULL never gets back in an edit form: the inputs start blank
# (the masked value is the placeholder) and a blank input means "keep".
SENSITIVE = ("name", "mobile", "email", "address", "id_number", "birthday")
_MASK_FOR = {"name": mask_name, "mobile": mask_mobile, "email": mask_email, "id_number": mask_id_number,
             "address": mask_text, "birthday": lambda d: f"****-{d:%m-%d}" if d else ""}


def _date(label):
    # no maxlength, unlike the shared _date: the member file's date inputs render as they always have
    return forms.CharField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


def scoped_stores(user):
    """Stores the user may file members into: his own for store roles and account managers."""
    return stores_in_scope(user, active_only=True)


def scoped_owners(user):
    qs = Staff.objects.filter(is_active=True).order_by("display_name", "username")
    if not user.is_superuser and user.role in Role.STORE_ROLES | {Role.ACCOUNT_MANAGER}:
        qs = qs.filter(stores__in=user.store_ids).distinct()
    return qs


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name or obj.username} ({obj.get_role_display()})"


class MemberForm(ServiceErrorsMixin, forms.Form):
    """All fields of the member file (R1.1); enrolment adds the consent questions."""

    HARD = ("name", "gender", "mobile", "birthday", "lunar_birth_month", "lunar_birth_day", "lunar_birth_leap", "ethnicity",
            "email", "id_number", "address", "clothing_size", "shoe_size")
    SOFT = ("occupation", "personality", "consumption_habits", "style_preferences", "hobbies", "lifestyle",
            "preferred_contact", "promo_receptiveness", "values")
    FAMILY = ("spouse_name", "spouse_birthday", *[f"child{i}_{k}" for i in range(1, CHILD_SLOTS + 1) for k in ("name", "birthday")],
              "family_note")
    RELATION = ("home_store", "owner", "source_channel", "referrer", "tags", "notes")

    name = _text(_("Name"), 60, help_text=_("A surname alone is enough."))
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, initial=Gender.UNKNOWN, required=False)
    mobile = _text(_("Mobile"), 20, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    birthday = _date(_("Birthday"))
    lunar_birth_month = forms.TypedChoiceField(label=_("Lunar birth month"), required=False, coerce=int, empty_value=None,
                                               choices=BLANK + [(i, str(i)) for i in range(1, 13)])
    lunar_birth_day = forms.TypedChoiceField(label=_("Lunar birth day"), required=False, coerce=int, empty_value=None,
                                             choices=BLANK + [(i, str(i)) for i in range(1, 31)])
    lunar_birth_leap = forms.BooleanField(label=_("Leap month"), required=False)
    ethnicity = _text(_("Ethnicity"), 20)
    email = _text(_("E-mail"), 254, widget=forms.EmailInput)
    id_number = _text(_("ID number"), 30, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    address = _text(_("Address"), 300)
    clothing_size = _text(_("Clothing size"), 10)
    shoe_size = _text(_("Shoe size"), 10)

    occupation = _text(_("Occupation / work"), 100)
    personality = _text(_("Personality"))
    consumption_habits = _text(_("Consumption habits"))
    style_preferences = _text(_("Style preferences"))
    hobbies = _text(_("Hobbies"))
    lifestyle = _text(_("Lifestyle"))
    preferred_contact = forms.ChoiceField(label=_("Preferred service style"), required=False, choices=BLANK + list(ContactPreference.choices))
    promo_receptiveness = forms.ChoiceField(label=_("Receptiveness to promotions"), required=False,
                                            choices=BLANK + list(PromoReceptiveness.choices))
    values = _text(_("Values"))

    spouse_name = _text(_("Spouse's name"), 60)
    spouse_birthday = _date(_("Spouse's birthday"))
    family_note = _text(_("Family notes"), 500)

    home_store = forms.ModelChoiceField(label=_("Home store"), queryset=Store.objects.none(), required=False)
    owner = OwnerChoiceField(label=_("Owner (guide / account manager)"), queryset=Staff.objects.none(), required=False)
    source_channel = forms.ChoiceField(label=_("Source channel"), choices=SourceChannel.choices, initial=SourceChannel.WALK_IN, required=False)
    referrer = _text(_("Referrer (member number)"), 20)
    tags = _text(_("Tags"), 500, help_text=_("Separate tags with commas."))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    # Field keys reported by the services that have no input of their own here.
    ERROR_FIELD = {"family": "spouse_name", "lunar_birth_leap": "lunar_birth_month", "id_number_hash": "id_number"}

    def __init__(self, *args, user, member=None, see_full: bool = True, **kwargs):
        self.member = member
        self.keep_blank = set() if see_full or member is None else set(SENSITIVE)
        if member is not None:
            kwargs["initial"] = {**self.initial_from(member), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        for i in range(1, CHILD_SLOTS + 1):
            self.fields[f"child{i}_name"] = _text(_("Child %(n)s name") % {"n": i}, 60)
            self.fields[f"child{i}_birthday"] = _date(_("Child %(n)s birthday") % {"n": i})
        self.fields["home_store"].queryset = scoped_stores(user)
        self.fields["owner"].queryset = scoped_owners(user)
        if member is None:
            self.fields["name"].required = True
            self.fields["mobile"].show_required = True  # required, but the service says so in its own words
            stores = list(self.fields["home_store"].queryset[:2])
            if len(stores) == 1:
                self.fields["home_store"].initial = stores[0]
            self.fields["owner"].initial = user if user in self.fields["owner"].queryset else None
            for purpose, p_label in ConsentPurpose.choices:
                for channel, c_label in ConsentChannel.choices:
                    self.fields[f"consent_{purpose}_{channel}"] = forms.BooleanField(label=f"{p_label} · {c_label}", required=False)
        for key in self.keep_blank:
            masked = _MASK_FOR[key](getattr(member, key))
            field = self.fields[key]
            field.required = False
            field.widget.attrs["placeholder"] = masked or ""
            field.help_text = _("Hidden. Leave blank to keep; type to replace.")
            if key == "birthday":  # a date input cannot show a placeholder
                field.widget = forms.TextInput(attrs={"placeholder": masked or "YYYY-MM-DD"})
            self.initial.pop(key, None)

    def section(self, names):
        return [self[n] for n in names]

    def hard_fields(self):
        return self.section(self.HARD)

    def soft_fields(self):
        return self.section(self.SOFT)

    def family_fields(self):
        return self.section(self.FAMILY)

    def relation_fields(self):
        return self.section(self.RELATION)

    def consent_fields(self):
        return [self[n] for n in self.fields if n.startswith("consent_")]

    @staticmethod
    def initial_from(member) -> dict:
        family = member.family or {}
        spouse = family.get("spouse") or {}
        initial = {k: getattr(member, k) for k in MemberForm.HARD + MemberForm.SOFT + ("source_channel", "notes")}
        initial["birthday"] = member.birthday.isoformat() if member.birthday else ""
        initial.update(
            spouse_name=spouse.get("name", ""), spouse_birthday=spouse.get("birthday") or "", family_note=family.get("note", ""),
            home_store=member.home_store_id, owner=member.owner_id,
            referrer=member.referrer.member_no if member.referrer_id else "",
            tags=", ".join(t.name for t in member.tags.all()),
        )
        for i, child in enumerate((family.get("children") or [])[:CHILD_SLOTS], start=1):
            initial[f"child{i}_name"] = child.get("name", "")
            initial[f"child{i}_birthday"] = child.get("birthday") or ""
        return initial

    def service_data(self) -> dict:
        """The raw values for member_enrol / member_update."""
        c = self.cleaned_data
        data = {k: c.get(k) for k in self.HARD + self.SOFT + ("home_store", "owner", "source_channel", "referrer", "tags", "notes")}
        for key in self.keep_blank:
            if not c.get(key):
                data.pop(key)
        family: dict = {}
        if c.get("spouse_name") or c.get("spouse_birthday"):
            family["spouse"] = {"name": c.get("spouse_name", ""), "birthday": c.get("spouse_birthday") or None}
        children = [{"name": c.get(f"child{i}_name", ""), "birthday": c.get(f"child{i}_birthday") or None}
                    for i in range(1, CHILD_SLOTS + 1) if c.get(f"child{i}_name") or c.get(f"child{i}_birthday")]
        if self.member is not None:  # children beyond the form's slots stay on file
            children += (self.member.family or {}).get("children", [])[CHILD_SLOTS:]
        if children:
            family["children"] = children
        if c.get("family_note"):
            family["note"] = c["family_note"]
        data["family"] = family
        if not data.get("home_store"):
            data.pop("home_store")  # the service files the member into the user's first store
        return data

    def consents(self) -> dict:
        return {(p, ch): bool(self.cleaned_data.get(f"consent_{p}_{ch}"))
                for p in ConsentPurpose.values for ch in ConsentChannel.values}

    def field_for(self, key: str) -> str | None:
        if key.startswith("consent"):
            return None  # the consent ticks are one question: its refusal goes above the form
        return super().field_for(key)


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False,
                             widget=forms.TextInput(attrs={"id": "reveal-reason", "autocomplete": "off"}))


class CardIssueForm(forms.Form):
    media = forms.ChoiceField(label=_("Card media"), choices=CardMedia.choices)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class LostCardReplaceForm(forms.Form):
    """Identity facts the holder tells the desk; at least two must match the file (R2.3)."""

    name = _text(_("Name"), 60)
    mobile = _text(_("Mobile"), 20)
    id_number = _text(_("ID number"), 30)
    birthday = _date(_("Birthday"))
    card_number = _text(_("Card number"), 32)
    media = forms.ChoiceField(label=_("New card media"), choices=CardMedia.choices)


class SupplementaryCardForm(forms.Form):
    holder_name = _text(_("Holder name"), 60)
    holder_mobile = _text(_("Holder mobile"), 20)
    media = forms.ChoiceField(label=_("Card media"), choices=CardMedia.choices)


class LegacyCardForm(forms.Form):
    legacy_number = _text(_("Old card number"), 32)
    media = forms.ChoiceField(label=_("New card media"), choices=CardMedia.choices)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawal"), max_length=200)
    confirm = forms.BooleanField(label=_("I understand: the personal data is erased and the cards are closed. This cannot be undone."))


class ImportUploadForm(forms.Form):
    MAX_BYTES = 5 * 1024 * 1024
    file = forms.FileField(label=_("CSV or XLSX file"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB. Split it into smaller files."))
        if not f.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return f


def mapping_choices():
    return [("", _("— do not import —"))] + [(key, f"{label} ({key})") for key, label in FIELD_LABELS.items()]


class ExportForm(forms.Form):
    fmt = forms.ChoiceField(label=_("Format"), choices=[("xlsx", "Excel (XLSX)"), ("csv", "CSV")], initial="xlsx",
                            widget=forms.RadioSelect)
    full = forms.BooleanField(label=_("Full export (unmasked personal data, recorded)"), required=False)
    q = forms.CharField(required=False, widget=forms.HiddenInput)
