from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNKNOWN = "U", _("Unknown")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ContactPreference(models.TextChoices):
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    VISIT = "visit", _("Visit")
    NONE = "none", _("No contact")


class PromoReceptiveness(models.TextChoices):
    HIGH = "high", _("Likes promotions")
    MEDIUM = "medium", _("Neutral")
    LOW = "low", _("Dislikes promotions")


class SourceChannel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    REFERRAL = "referral", _("Referral")
    ONLINE = "online", _("Online")
    EVENT = "event", _("Event")
    PARTNER = "partner", _("Partner merchant")
    IMPORT = "import", _("Import")
    OTHER = "other", _("Other")


class ConsentPurpose(models.TextChoices):
    SERVICE = "service", _("Service notices")
    MARKETING = "marketing", _("Marketing")
    RECOGNITION = "recognition", _("Recognition on arrival")  # no = not announced to staff when seen (issue 19 §1)


class ConsentChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")


class ConsentSource(models.TextChoices):
    CONSOLE = "console", _("Console")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    PORTAL = "portal", _("Member portal")
    PAPER = "paper", _("Paper form")
    REPLY = "reply", _("SMS reply (退订)")
    LINK = "link", _("Opt-out link")


class CardMedia(models.TextChoices):
    BARCODE = "barcode", _("Barcode card")
    QR = "qr", _("QR code / e-card")
    MAGSTRIPE = "magstripe", _("Magnetic stripe card")
    IC = "ic", _("IC card")
    RFID = "rfid", _("RFID card")


class CardKind(models.TextChoices):
    PRINCIPAL = "principal", _("Principal card")
    SUPPLEMENTARY = "supplementary", _("Supplementary card")


class CardStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    REJECTED = "rejected", _("Rejected")
    ACTIVE = "active", _("Active")
    FROZEN = "frozen", _("Frozen")
    LOST = "lost", _("Reported lost")
    REPLACED = "replaced", _("Replaced")
    INVALID = "invalid", _("Invalid")
    CLOSED = "closed", _("Closed")


# The card life cycle as data (R2.2): status → statuses it may move to.
CARD_TRANSITIONS: dict[str, frozenset[str]] = {
    CardStatus.PENDING: frozenset({CardStatus.ACTIVE, CardStatus.REJECTED}),
    CardStatus.REJECTED: frozenset(),
    CardStatus.ACTIVE: frozenset({CardStatus.FROZEN, CardStatus.LOST, CardStatus.INVALID, CardStatus.CLOSED, CardStatus.REPLACED}),
    CardStatus.FROZEN: frozenset({CardStatus.ACTIVE, CardStatus.LOST, CardStatus.INVALID, CardStatus.CLOSED}),
    CardStatus.LOST: frozenset({CardStatus.ACTIVE, CardStatus.REPLACED, CardStatus.INVALID, CardStatus.CLOSED}),
    CardStatus.REPLACED: frozenset(),
    CardStatus.INVALID: frozenset(),
    CardStatus.CLOSED: frozenset(),
}
# A card in one of these statuses is refused at the till and flagged for confiscation (R2.4).
CARD_UNUSABLE = frozenset({CardStatus.REJECTED, CardStatus.LOST, CardStatus.REPLACED, CardStatus.INVALID, CardStatus.CLOSED})


class ImportStatus(models.TextChoices):
    DRY_RUN = "dry_run", _("Dry run")
    REJECTED = "rejected", _("Rejected")
    COMPLETED = "completed", _("Completed")


class IdentifiedBy(models.TextChoices):
    CARD = "card", _("Card")
    ECARD = "ecard", _("E-card")
    MOBILE = "mobile", _("Mobile")
    MEMBER_NO = "member_no", _("Member number")
    NONE = "none", _("Not identified")
    ATTACHED = "attached", _("Attached later")
