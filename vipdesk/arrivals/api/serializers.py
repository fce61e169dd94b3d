from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import Point


class ArrivalInSerializer(serializers.Serializer):
    store = serializers.CharField(max_length=20, required=False, allow_blank=True, default="",
                                  help_text=_("Store code; a store terminal's key may leave it out (its own store)."))
    point = serializers.ChoiceField(Point.choices, help_text=_("Where the person was seen: entrance, queue, till or counter."))
    card = serializers.CharField(max_length=40, required=False, allow_blank=True, help_text=_("Card number (swiped or scanned)."))
    ecard = serializers.CharField(max_length=40, required=False, allow_blank=True,
                                  help_text=_("The portal e-card's dynamic code or a printed QR card's token."))
    mobile = serializers.CharField(max_length=20, required=False, allow_blank=True)
    id_number = serializers.CharField(max_length=20, required=False, allow_blank=True, help_text=_("Resident ID number."))


class ArrivalOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    announced = serializers.BooleanField(help_text=_("Whether staff were told; why not is not said to the device."))
    at = serializers.DateTimeField()
