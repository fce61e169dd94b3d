"""Editing an evaluation programme in the console (issue 20 §2, HQ): its criteria (add, change,
remove — name, unit, where the figure comes from, weight, an optional hard gate) and its awards by
rank with the kind they are paid as. Every write goes through vipdesk.companies.programmes; a
refusal is shown beside its input. Once a year of the programme is approved the page is read-only
and offers a copy instead."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _, gettext_lazy, pgettext_lazy
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action
from vipdesk.companies.models import AwardKind, Criterion, Source
from vipdesk.companies.programmes import (awards_set, criterion_remove, criterion_save, programme_copy, programme_for,
                                          programme_frozen)
from vipdesk.core.errors import DomainError, NotFound

from ..forms import ServiceErrorsMixin, _number
from ..mixins import CapabilityMixin
from ..service_form import ServiceFormView


class CriterionForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Criterion"), max_length=60, required=False)
    unit = forms.CharField(label=gettext_lazy("Unit of the figure"), max_length=10, required=False,
                           help_text=gettext_lazy("As shown after the figure: 吨, %, 分, 次…"))
    source = forms.ChoiceField(label=gettext_lazy("The figure comes from"), choices=Source.choices)
    weight = _number(gettext_lazy("Weight"), help_text=gettext_lazy("Zero: a hard gate only, not scored."))
    lower_is_better = forms.BooleanField(label=gettext_lazy("Lower is better (e.g. quality disputes)"), required=False)
    gate_min = _number(gettext_lazy("Hard gate: at least"), help_text=gettext_lazy("Empty: no lower limit. Below it: disqualified."))
    gate_max = _number(gettext_lazy("Hard gate: at most"), help_text=gettext_lazy("Empty: no upper limit. Above it: disqualified."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].show_required = True
        self.fields["weight"].show_required = True


class AwardKindForm(ServiceErrorsMixin, forms.Form):
    award_kind = forms.ChoiceField(label=gettext_lazy("Awards paid as"), choices=AwardKind.choices)


class AwardForm(forms.Form):
    rank = forms.CharField(label=pgettext_lazy("evaluation", "Rank"), max_length=4, required=False,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    amount = _number(gettext_lazy("Amount (yuan, or points)"))


AwardFormSet = forms.formset_factory(AwardForm, extra=2, can_delete=True, max_num=20, validate_max=True)


class ProgrammeMixin(CapabilityMixin):
    capability = Action.EVALUATION

    @cached_property
    def programme(self):
        try:
            return programme_for(self.request.user, self.kwargs["pk"])
        except NotFound:
            raise Http404

    @cached_property
    def frozen(self) -> bool:
        return programme_frozen(self.programme)


class ProgrammeView(ProgrammeMixin, TemplateView):
    """The programme's criteria, its awards (a formset) and, once frozen, a copy."""

    template_name = "console/evaluation/programme.html"

    def get_context_data(self, **kwargs):
        scheme = self.programme
        kwargs.setdefault("kind_form", AwardKindForm(initial={"award_kind": scheme.award_kind}))
        kwargs.setdefault("awards", AwardFormSet(prefix="awards", initial=[{"rank": a.rank, "amount": f"{a.amount.normalize():f}"}
                                                                           for a in scheme.awards.all()]))
        return super().get_context_data(programme=scheme, criteria=list(scheme.criteria.all()), frozen=self.frozen,
                                        years=list(scheme.years.select_related("approved_by")), **kwargs)

    def post(self, request, *args, **kwargs):
        if request.POST.get("step") == "copy":
            return self._copy(request)
        kind_form = AwardKindForm(request.POST)
        awards = AwardFormSet(request.POST, prefix="awards")
        if not (kind_form.is_valid() and awards.is_valid()):
            return self.render_to_response(self.get_context_data(kind_form=kind_form, awards=awards), status=400)
        rows, index_of = [], []
        for i, form in enumerate(awards.forms):
            data = form.cleaned_data
            if not data or data.get("DELETE") or not (data.get("rank") or data.get("amount")):
                continue
            rows.append({"rank": data.get("rank"), "amount": data.get("amount")})
            index_of.append(i)
        try:
            awards_set(actor=request.user, scheme=self.programme, data={"award_kind": kind_form.cleaned_data["award_kind"], "awards": rows})
        except DomainError as exc:
            for key, texts in exc.fields.items():
                parts = key.split(".")
                if len(parts) == 3 and parts[0] == "awards" and parts[1].isdigit():
                    for text in texts:
                        awards.forms[index_of[int(parts[1])]].add_error(parts[2], text)
                elif key == "award_kind":
                    kind_form.add_service_errors(DomainError(exc.message, fields={key: texts}))
                else:
                    kind_form.add_error(None, exc.message)
            if not exc.fields:
                kind_form.add_error(None, exc.message)
            return self.render_to_response(self.get_context_data(kind_form=kind_form, awards=awards), status=400)
        messages.success(request, _("The awards were saved. Open years are evaluated again before review."))
        return redirect("console:evaluation_programme", pk=self.programme.pk)

    def _copy(self, request):
        try:
            copy = programme_copy(actor=request.user, scheme=self.programme, name=request.POST.get("name", ""))
        except DomainError as exc:
            return self.render_to_response(self.get_context_data(copy_errors=exc.fields or {"name": [exc.message]}), status=400)
        messages.success(request, _("The programme was copied: change the copy and open the next year with it."))
        return redirect("console:evaluation_programme", pk=copy.pk)


class CriterionView(ProgrammeMixin, ServiceFormView):
    """Add a criterion (no cid) or change one; POST step=remove removes it."""

    template_name = "console/evaluation/criterion.html"
    form_class = CriterionForm
    service = criterion_save

    @cached_property
    def criterion(self) -> Criterion | None:
        if "cid" not in self.kwargs:
            return None
        found = self.programme.criteria.filter(pk=self.kwargs["cid"]).first()
        if found is None:
            raise Http404
        return found

    def get_initial(self):
        c = self.criterion
        if c is None:
            return {"source": Source.ENTERED}
        plain = (lambda d: "" if d is None else f"{d.normalize():f}")
        return {"name": c.name, "unit": c.unit, "source": c.source, "weight": plain(c.weight), "lower_is_better": c.lower_is_better,
                "gate_min": plain(c.gate_min), "gate_max": plain(c.gate_max)}

    def service_kwargs(self, form):
        return {"scheme": self.programme, "criterion": self.criterion}

    def get_success_message(self, form, result):
        return _("The criterion “%(name)s” was saved. Open years are evaluated again before review.") % {"name": result.name}

    def get_success_url(self):
        return reverse("console:evaluation_programme", kwargs={"pk": self.programme.pk})

    def post(self, request, *args, **kwargs):
        if request.POST.get("step") == "remove" and self.criterion is not None:
            try:
                criterion_remove(actor=request.user, scheme=self.programme, criterion=self.criterion)
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect("console:evaluation_criterion", pk=self.programme.pk, cid=self.criterion.pk)
            messages.success(request, _("The criterion “%(name)s” was removed.") % {"name": self.criterion.name})
            return redirect("console:evaluation_programme", pk=self.programme.pk)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(programme=self.programme, criterion=self.criterion, frozen=self.frozen, **kwargs)
