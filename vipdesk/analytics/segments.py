"""Saved dynamic segments (R8.2): the filter definition, its validation, and the Segment services.

A definition is a JSON object; every key is optional and the keys combine with AND (an empty
definition is everybody in the caller's scope). Lists mean "any of". Keys:

  levels          ["GOLD", …]       current tier level codes (active programme)
  stores          ["S001", …]       home store codes
  owners          ["guide1", …]     owner (所属导购/客户经理) user names
  tags            ["高端", …]        with tags_mode "any" (default) or "all"
  genders         ["F", "M", "U"]
  age             {"min": 25, "max": 40}           whole years on the evaluation date; no birthday: excluded
  birthday_months [3, 4]            month of the (solar) birthday; no birthday: excluded
  rfm_segments    ["important_value", …]           from the snapshot (choices.RfmSegment)
  r_score / f_score / m_score  {"min": 4, "max": 5}  scored members only (no purchase in the window: no score)
  abc / pyramid / spend_class / lifecycle  [codes]  from the snapshot
  vip / svip      true | false                      from the snapshot
  bought          {"brands": [], "categories": [], "sizes": [], "price_min": "0.00", "price_max": "", "days": 90}
                  at least one line, not wholly returned, in the last `days` days, matching every given part
  spend           {"min": "1000.00", "max": "", "days": 365}   net spend in the last `days` days (live)
  last_purchase_days  {"min": 30, "max": 180}       days since the last purchase (live); never bought: excluded

Classification keys read the latest snapshot on or before the evaluation date; the others read
the live rows. `definition_clean` gives the canonical form that is stored (money as strings).
Saving (segment_create / segment_update) also checks that the stores, tier levels and owners named
exist; evaluating a saved definition does not (a store closed later simply matches nobody).
"""
from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, Role, require
from vipdesk.audit.services import event_record
from vipdesk.core import parsing
from vipdesk.core.errors import Conflict, NotFound, PermissionDenied
from vipdesk.members.choices import Gender
from vipdesk.accounts.models import Staff
from vipdesk.org.models import Store
from vipdesk.tiers.models import Level

from .choices import AbcClass, Lifecycle, PyramidClass, RfmSegment, SpendClass
from .models import Segment

CODE_LISTS = {  # key → allowed codes (None: free text, checked against the database where cheap)
    "levels": None, "stores": None, "owners": None, "tags": None, "genders": Gender,
    "rfm_segments": RfmSegment, "abc": AbcClass, "pyramid": PyramidClass, "spend_class": SpendClass, "lifecycle": Lifecycle,
}
SCORE_RANGES = ("r_score", "f_score", "m_score")
FLAGS = ("vip", "svip")
SNAPSHOT_KEYS = {"rfm_segments", "abc", "pyramid", "spend_class", "lifecycle", *SCORE_RANGES, *FLAGS}
KEYS = {*CODE_LISTS, *SCORE_RANGES, *FLAGS, "tags_mode", "age", "birthday_months", "bought", "spend", "last_purchase_days"}
MAX_ITEMS = 200
MAX_DAYS = 3660


def _codes(value, key: str, problems: parsing.Problems, allowed) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not value:
        problems.add(key, _("Give a non-empty list."))
        return []
    if len(value) > MAX_ITEMS:
        problems.add(key, _("At most %(n)d items.") % {"n": MAX_ITEMS})
        return []
    out = []
    for item in value:
        text = parsing.text(item, key, problems, limit=60, required=True)
        if text and allowed is not None and text not in allowed.values:
            problems.add(key, _("Unknown code %(code)s.") % {"code": text})
        elif text and text not in out:
            out.append(text)
    return out


def _range(value, key: str, problems: parsing.Problems, *, maximum: int, money: bool = False) -> dict:
    if not isinstance(value, dict) or not set(value) <= {"min", "max", "days"}:
        problems.add(key, _("Give an object with min and/or max."))
        return {}
    out = {}
    for end in ("min", "max"):
        raw = value.get(end)
        if parsing.blank(raw):
            continue
        if money:
            amount = parsing.money(raw, f"{key}.{end}", problems)
            if amount is not None:
                out[end] = str(amount)
        else:
            number = parsing.whole(raw, f"{key}.{end}", problems, minimum=0, maximum=maximum)
            if number is not None:
                out[end] = number
    if "min" not in out and "max" not in out and not problems.fields.get(f"{key}.min") and not problems.fields.get(f"{key}.max"):
        problems.add(key, _("Give min, max or both."))
    elif "min" in out and "max" in out and Decimal(str(out["min"])) > Decimal(str(out["max"])):
        problems.add(key, _("The minimum is above the maximum."))
    return out


def _months(value, problems: parsing.Problems) -> list[int]:
    if not isinstance(value, (list, tuple)) or not value:
        problems.add("birthday_months", _("Give a non-empty list."))
        return []
    return parsing.months(value, "birthday_months", problems)


def _days(value, key: str, problems: parsing.Problems, default: int) -> int:
    return parsing.whole(default if parsing.blank(value) else value, key, problems, minimum=1, maximum=MAX_DAYS) or default


def _bought(value, problems: parsing.Problems) -> dict:
    allowed = {"brands", "categories", "sizes", "price_min", "price_max", "days"}
    if not isinstance(value, dict) or not set(value) <= allowed:
        problems.add("bought", _("Give an object with brands, categories, sizes, price_min, price_max, days."))
        return {}
    out = {"days": _days(value.get("days"), "bought.days", problems, 365)}
    for key in ("brands", "categories", "sizes"):
        if value.get(key) not in (None, [], ""):
            out[key] = _codes(value[key], f"bought.{key}", problems, None)
    for key in ("price_min", "price_max"):
        if not parsing.blank(value.get(key)):
            amount = parsing.money(value[key], f"bought.{key}", problems)
            if amount is not None:
                out[key] = str(amount)
    if "price_min" in out and "price_max" in out and Decimal(out["price_min"]) > Decimal(out["price_max"]):
        problems.add("bought", _("The minimum is above the maximum."))
    return out


def definition_clean(data) -> dict:
    """The canonical definition, or ValidationFailed naming every bad key."""
    problems = parsing.Problems()
    if not isinstance(data, dict):
        problems.add("definition", _("The definition must be a JSON object."))
        problems.raise_if_any()
    out: dict = {}
    for key in sorted(set(data) - KEYS):
        problems.add(key, _("Unknown filter %(key)s.") % {"key": key})
    for key, allowed in CODE_LISTS.items():
        if data.get(key) not in (None, []):
            out[key] = _codes(data[key], key, problems, allowed)
    if "tags_mode" in data:
        out["tags_mode"] = parsing.choice(data["tags_mode"], "tags_mode", problems, ("any", "all"))
    for key in SCORE_RANGES:
        if data.get(key) is not None:
            out[key] = _range(data[key], key, problems, maximum=10)
    for key in FLAGS:
        if data.get(key) is not None:
            if not isinstance(data[key], bool):
                problems.add(key, _("Give true or false."))
            else:
                out[key] = data[key]
    if data.get("age") is not None:
        out["age"] = _range(data["age"], "age", problems, maximum=150)
    if data.get("birthday_months") not in (None, []):
        out["birthday_months"] = _months(data["birthday_months"], problems)
    if data.get("last_purchase_days") is not None:
        out["last_purchase_days"] = _range(data["last_purchase_days"], "last_purchase_days", problems, maximum=MAX_DAYS * 10)
    if data.get("spend") is not None:
        spend = _range(data["spend"], "spend", problems, maximum=0, money=True)
        if isinstance(data["spend"], dict):
            spend["days"] = _days(data["spend"].get("days"), "spend.days", problems, 365)
        out["spend"] = spend
    if data.get("bought") is not None:
        out["bought"] = _bought(data["bought"], problems)
    problems.raise_if_any()
    return out


# ---- services ---------------------------------------------------------------------------------

def _require(actor) -> None:
    require(actor, Action.SEGMENTS, _("Your role may not work with segments."), system=False)


def segment_may_change(actor, segment: Segment) -> bool:
    """The segment's owner, HQ and superusers may change or delete it; others may only use it."""
    staff = _staff(actor)
    return (getattr(actor, "is_superuser", False) or getattr(actor, "role", None) == Role.HQ_ADMIN
            or (staff is not None and segment.owner_id == staff.pk))


def _fields(data: dict, problems: parsing.Problems, *, partial: bool, current: Segment | None = None) -> dict:
    clean = {}
    if not partial or "name" in data:
        clean["name"] = parsing.text(data.get("name"), "name", problems, limit=60, required=True)
        if clean["name"] and Segment.objects.filter(name=clean["name"]).exclude(pk=getattr(current, "pk", None)).exists():
            problems.add("name", _("A segment with this name already exists."))
    if not partial or "description" in data:
        clean["description"] = parsing.text(data.get("description"), "description", problems, limit=200)
    if not partial or "definition" in data:
        try:
            clean["definition"] = definition_clean(data.get("definition") or {})
        except parsing.ValidationFailed as exc:
            problems.extend({f"definition.{k}": v for k, v in exc.fields.items()})
        else:
            _known(clean["definition"], problems)
    return clean


def _known(definition: dict, problems: parsing.Problems) -> None:
    """The stores, tier levels (of the programme in force) and owners a definition names exist."""
    lookups = (
        ("stores", Store.objects.values_list("code", flat=True), "code", _("No store with code %(code)s.")),
        ("levels", Level.objects.filter(programme__active=True).values_list("code", flat=True), "code",
         _("No tier level with code %(code)s.")),
        ("owners", Staff.objects.values_list("username", flat=True), "username", _("No staff member with user name %(code)s.")),
    )
    for key, qs, column, message in lookups:
        wanted = definition.get(key) or []
        if not wanted:
            continue
        known = set(qs.filter(**{f"{column}__in": wanted}))
        for code in wanted:
            if code not in known:
                problems.add(f"definition.{key}", message % {"code": code})


def _staff(actor):
    return actor if isinstance(actor, Staff) else None


@transaction.atomic
def segment_create(*, actor, data: dict) -> Segment:
    _require(actor)
    problems = parsing.Problems()
    clean = _fields(data, problems, partial=False)
    problems.raise_if_any()
    segment = Segment.objects.create(owner=_staff(actor), **clean)
    event_record(actor=actor, verb="segment.create", obj=segment, payload={"name": segment.name, "definition": segment.definition})
    return segment


@transaction.atomic
def segment_update(*, actor, segment: Segment, data: dict) -> Segment:
    _require(actor)
    if not segment_may_change(actor, segment):
        raise PermissionDenied(_("Only the segment's owner or HQ may change it."))
    problems = parsing.Problems()
    clean = _fields(data, problems, partial=True, current=segment)
    problems.raise_if_any()
    before = {k: getattr(segment, k) for k in clean}
    for key, value in clean.items():
        setattr(segment, key, value)
    segment.save()
    event_record(actor=actor, verb="segment.update", obj=segment, payload={"before": before, "after": clean})
    return segment


@transaction.atomic
def segment_delete(*, actor, segment: Segment) -> None:
    _require(actor)
    if not segment_may_change(actor, segment):
        raise PermissionDenied(_("Only the segment's owner or HQ may delete it."))
    event_record(actor=actor, verb="segment.delete", obj=segment, payload={"name": segment.name, "definition": segment.definition})
    try:
        with transaction.atomic():
            segment.delete()
    except ProtectedError:  # a campaign (vipdesk/campaigns) was sent or is planned to it
        raise Conflict(_("This segment is used by a campaign and cannot be deleted."), code="segment_in_use") from None


def segment_for_actor(actor, pk) -> Segment:
    _require(actor)
    found = Segment.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise NotFound(_("No such segment."))
    return found
