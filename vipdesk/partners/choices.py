from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    DINING = "dining", _("Dining")
    CAFE = "cafe", _("Café and drinks")
    CINEMA = "cinema", _("Cinema and leisure")
    HOTEL = "hotel", _("Hotel and travel")
    CAR = "car", _("Car and parking")
    BEAUTY = "beauty", _("Beauty and health")
    RETAIL = "retail", _("Retail")
    OTHER = "other", _("Other")


class BenefitKind(models.TextChoices):
    DISCOUNT = "discount", _("Discount")
    GIFT = "gift", _("Free item")
    SERVICE = "service", _("Service")
