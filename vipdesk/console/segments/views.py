"""Saved segments (客户分群) and the classification settings (分类规则) in the console (issue 5, R8.1, R8.2).

Segments: the list with each segment's live member count in the user's scope; one page to build or
change a segment with a count and the first 50 members before saving (预览人数), and to delete it.
Counts and members come from analytics.selectors.segment_members — the selector coupons, care and
the API use — with `user=request.user`, so a store manager counts only her stores' members. Writes
go through analytics.segments (segment_create / segment_update / segment_delete: the owner or HQ),
whose Chinese per-field messages are shown next to the fields; a refused form changes nothing.

Classification settings: the one ClassificationPolicy beside the members per class of the latest
snapshot (in the user's scope). Everyone with Action.SEGMENTS may read it; changing it needs
Action.CLASSIFY_CONFIG (HQ) and goes through analytics.config (checked and audited there).
"""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _, gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action, can
from vipdesk.analytics import config
from vipdesk.analytics.choices import AbcClass, PyramidClass, RfmSegment, SpendClass
from vipdesk.analytics.classify import dormant_months, policy
from vipdesk.analytics.models import Segment
from vipdesk.analytics.segments import (
    definition_clean, segment_create, segment_delete, segment_for_actor, segment_may_change, segment_update,
)
from vipdesk.analytics.selectors import class_distribution, scarcity, segment_members
from vipdesk.core.errors import DomainError, NotFound, ValidationFailed
from vipdesk.members.choices import Gender
from vipdesk.tiers.models import Level

from ..mixins import CapabilityMixin, domain_error_message, may_see_full
from ..service_form import ServiceFormView
from .forms import LIFECYCLE_CHOICES, ClassificationPolicyForm, SegmentForm

PREVIEW_ROWS = 50


class SegmentMixin(CapabilityMixin):
    capability = Action.SEGMENTS
    tab = "segments"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tab=self.tab, **kwargs)


def _live(definition, user) -> tuple[int | None, str]:
    """(member count in the user's scope, "") or (None, why it cannot be counted now)."""
    try:
        return segment_members(definition, user=user).count(), ""
    except DomainError as exc:  # no snapshot yet for a classification filter; a definition no longer valid
        return None, exc.message


def _span(part: dict, unit: str = "") -> str:
    low, high = part.get("min"), part.get("max")
    if low is not None and high is not None:
        return f"{low}–{high}{unit}"
    return f"≥ {low}{unit}" if low is not None else f"≤ {high}{unit}"


def describe(d: dict) -> list[str]:
    """A saved definition in words, one phrase per filter, for the list (labels in the user's language)."""
    def labels(choices, codes):
        names = dict(choices)
        return "、".join(str(names.get(c, c)) for c in codes)

    out = []
    if d.get("levels"):
        names = dict(Level.objects.filter(programme__active=True, code__in=d["levels"]).values_list("code", "name"))
        out.append(_("Level: %(v)s") % {"v": "、".join(names.get(c, c) for c in d["levels"])})
    if d.get("genders"):
        out.append(_("Gender: %(v)s") % {"v": labels(Gender.choices, d["genders"])})
    if d.get("age"):
        out.append(_("Age %(v)s") % {"v": _span(d["age"])})
    if d.get("birthday_months"):
        out.append(_("Birthday in %(v)s") % {"v": "、".join(_("Month %(m)s") % {"m": m} for m in d["birthday_months"])})
    if d.get("stores"):
        out.append(_("Home store: %(v)s") % {"v": "、".join(d["stores"])})
    if d.get("owners"):
        out.append(_("Owner: %(v)s") % {"v": "、".join(d["owners"])})
    if d.get("tags"):
        mode = _("all of") if d.get("tags_mode") == "all" else _("any of")
        out.append(_("Tags (%(mode)s): %(v)s") % {"mode": mode, "v": "、".join(d["tags"])})
    if d.get("rfm_segments"):
        out.append(_("RFM: %(v)s") % {"v": labels(RfmSegment.choices, d["rfm_segments"])})
    for key, letter in (("r_score", "R"), ("f_score", "F"), ("m_score", "M")):
        if d.get(key):
            out.append(_("%(letter)s score %(v)s") % {"letter": letter, "v": _span(d[key])})
    for key, title in (("abc", _("ABC")), ("spend_class", _("A/B/C/D"))):
        if d.get(key):
            out.append(f"{title}: {'、'.join(d[key])}")
    if d.get("pyramid"):
        out.append(_("Pyramid: %(v)s") % {"v": labels(PyramidClass.choices, d["pyramid"])})
    if d.get("lifecycle"):
        out.append(_("Life cycle: %(v)s") % {"v": labels(LIFECYCLE_CHOICES, d["lifecycle"])})
    for key, title in (("vip", _("VIP tier")), ("svip", _("SVIP"))):
        if key in d:
            out.append(f"{title}: {_('yes') if d[key] else _('no')}")
    if d.get("bought"):
        b, parts = d["bought"], []
        words = {"brands": _("brands %(v)s"), "categories": _("categories %(v)s"), "sizes": _("sizes %(v)s")}
        for key, text in words.items():
            if b.get(key):
                parts.append(text % {"v": "、".join(b[key])})
        if "price_min" in b or "price_max" in b:
            parts.append(_("unit price %(v)s") % {"v": _span({"min": b.get("price_min"), "max": b.get("price_max")})})
        out.append(_("Bought in the last %(n)s days: %(v)s") % {"n": b["days"], "v": "; ".join(parts) or _("anything")})
    if d.get("spend"):
        out.append(_("Spent %(v)s yuan in the last %(n)s days") % {"v": _span(d["spend"]), "n": d["spend"]["days"]})
    if d.get("last_purchase_days"):
        out.append(_("Last purchase %(v)s days ago") % {"v": _span(d["last_purchase_days"])})
    return out


class SegmentListView(SegmentMixin, TemplateView):
    template_name = "console/segments/list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        rows = []
        for segment in Segment.objects.select_related("owner").order_by("name"):
            count, why = _live(segment, user)
            rows.append({"segment": segment, "count": count, "why": why, "words": describe(segment.definition or {}),
                         "may_change": segment_may_change(user, segment)})
        reasons = sorted({row["why"] for row in rows if row["why"]})
        return super().get_context_data(rows=rows, reasons=reasons, **kwargs)


class SegmentPage(SegmentMixin, ServiceFormView):
    """A new segment (no pk) or a saved one. Buttons: 预览人数 (SegmentEditView: count and the first
    members of what is typed, nothing saved), 保存 (SegmentSaveView, POST step=save, through the service)."""

    template_name = "console/segments/form.html"
    form_class = SegmentForm

    @cached_property
    def segment(self) -> Segment | None:
        pk = self.kwargs.get("pk")
        if pk is None:
            return None
        try:
            return segment_for_actor(self.request.user, pk)
        except NotFound:
            raise Http404

    def get_initial(self):
        return SegmentForm.initial_for(self.segment) if self.segment else {"tags_mode": "any"}

    def get_form_kwargs(self):
        extra = (self.segment.definition or {}).get("levels", []) if self.segment else []
        return {**super().get_form_kwargs(), "extra_levels": extra}

    def preview(self, definition) -> dict:
        """Count and first members of a definition in the user's scope (masked as in member search)."""
        user = self.request.user
        count, why = _live(definition, user)
        members = []
        if count:
            members = list(segment_members(definition, user=user).select_related("home_store", "tier__level")
                           .order_by("-id")[:PREVIEW_ROWS])
        return {"preview": {"count": count, "why": why, "members": members, "more": (count or 0) > len(members)}}

    def get_context_data(self, **kwargs):
        segment = self.segment
        if "form" not in kwargs and segment is not None:
            kwargs.update(self.preview(segment))  # a saved segment opens with its count
        user = self.request.user
        return super().get_context_data(segment=segment, see_full=may_see_full(user),
                                        may_change=segment is None or segment_may_change(user, segment),
                                        preview_rows=PREVIEW_ROWS, **kwargs)


class SegmentSaveView(SegmentPage):
    success_message = gettext_lazy("Segment “%(name)s” saved.")

    def service_data(self, form):
        return {"name": form.cleaned_data["name"], "description": form.cleaned_data["description"], "definition": form.definition()}

    def call_service(self, form):
        # bad input goes next to its field; "not the owner" above the form
        if self.segment is None:
            return segment_create(actor=self.request.user, data=self.service_data(form))
        return segment_update(actor=self.request.user, segment=self.segment, data=self.service_data(form))

    def success_message_data(self, form, saved):
        return {"name": saved.name}

    def get_success_url(self):
        return reverse("console:segment", args=[self.result.pk])


class SegmentEditView(SegmentPage):
    """The preview: the definition checked by the service (nothing saved), then counted."""

    refusals = (ValidationFailed,)
    steps = {"save": SegmentSaveView}

    def call_service(self, form):
        definition = form.definition()
        definition_clean(definition)
        return definition

    def done(self, form, definition):
        return self.render_to_response(self.get_context_data(form=form, **self.preview(definition)))


class SegmentDeleteView(SegmentMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            segment = segment_for_actor(request.user, pk)
        except NotFound:
            raise Http404
        name = segment.name
        try:
            segment_delete(actor=request.user, segment=segment)
        except DomainError as exc:
            domain_error_message(request, exc)
            return redirect("console:segment", pk=pk)
        messages.success(request, _("Segment “%(name)s” deleted.") % {"name": name})
        return redirect("console:segment_list")


# ---- classification settings -----------------------------------------------------------------------

def _distribution(user) -> tuple[list[dict], dict | None, str]:
    """Members per class of every classification from the latest snapshot in the user's scope:
    ([{"title", "rows": [(label, n, pct)]}], scarcity, "") or ([], None, why there is none)."""
    try:
        dist = class_distribution(user=user)
        scarce = scarcity(user=user)
    except DomainError as exc:
        return [], None, exc.message
    total = dist["members"] or 0

    def rows(kind, choices, blank=None):
        counts = dist.get(kind, {})
        out = [(label, counts.get(code, 0)) for code, label in choices]
        if blank is not None and counts.get(""):
            out.append((blank, counts[""]))
        return [(label, n, round(100 * n / total, 1) if total else 0) for label, n in out]

    tables = [
        {"kind": "rfm_segment", "title": _("RFM segment"), "rows": rows("rfm_segment", RfmSegment.choices, _("Not scored (no purchase in the window)"))},
        {"kind": "abc_class", "title": _("ABC class"), "rows": rows("abc_class", AbcClass.choices)},
        {"kind": "pyramid_class", "title": _("Customer pyramid"), "rows": rows("pyramid_class", PyramidClass.choices)},
        {"kind": "spend_class", "title": _("A/B/C/D by annual spend"), "rows": rows("spend_class", SpendClass.choices)},
        {"kind": "svip", "title": _("SVIP"), "rows": rows("svip", [("svip", _("SVIP")), ("-", _("Not SVIP"))])},
        {"kind": "lifecycle", "title": _("Life cycle"), "rows": rows("lifecycle", LIFECYCLE_CHOICES)},
    ]
    return tables, {**scarce, "date": dist["date"], "members": total}, ""


class ClassificationPolicyView(SegmentMixin, ServiceFormView):
    template_name = "console/segments/classification_policy.html"
    tab = "policy"
    form_class = ClassificationPolicyForm
    service = config.classification_policy_save
    success_message = gettext_lazy("The classification settings were saved. They apply from the next snapshot.")
    success_url = "console:classification_policy"

    @cached_property
    def current(self):
        return policy()

    def get_initial(self):
        return {k: getattr(self.current, k) for k in config.POLICY_FIELDS}

    def get_context_data(self, **kwargs):
        may_edit = can(self.request.user, Action.CLASSIFY_CONFIG)
        form = kwargs.setdefault("form", self.get_form())
        for field in form.fields.values():
            field.disabled = not may_edit
        tables, summary, why = _distribution(self.request.user)
        return super().get_context_data(policy=self.current, may_edit=may_edit,
                                        dormant_months=dormant_months(), tables=tables, summary=summary, no_snapshot=why,
                                        **kwargs)

    def post(self, request, *args, **kwargs):
        if not can(request.user, Action.CLASSIFY_CONFIG):
            raise Forbidden
        return super().post(request, *args, **kwargs)
