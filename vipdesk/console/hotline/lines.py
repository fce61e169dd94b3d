"""The hotline's lines in the console: each line's hours and its chain — who rings, in what order,
for how long. HQ edits every line; a store manager the lines of her stores' areas. Writes go
through hotline.services.line_save."""
from __future__ import annotations

from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action, can
from vipdesk.core.errors import NotFound
from vipdesk.hotline import services
from vipdesk.hotline.choices import StepKind, StepWhen
from vipdesk.hotline.models import Line
from vipdesk.performance.services import stores_for

from ..mixins import CapabilityMixin
from ..service_form import ServiceFormView
from .forms import DAYS, LineForm, NewLineForm


def describe(line: Line) -> None:
    """What the list shows of a line: its days, hours and chain in words."""
    names = dict(DAYS)
    line.days_shown = "、".join(str(names[d]) for d in line.open_days if d in names)
    line.around_the_clock = line.open_from == line.open_to
    kinds, whens = dict(StepKind.choices), dict(StepWhen.choices)
    line.chain = [{"kind": kinds.get(s.kind, ""), "ring": s.ring_seconds, "when": whens.get(s.when, "") if s.when != StepWhen.ALWAYS else ""}
                  for s in line.steps.all()]


class LinesView(CapabilityMixin, TemplateView):
    capability = Action.HOTLINE_MANAGE
    template_name = "console/hotline/lines.html"

    def get_context_data(self, **kwargs):
        lines = list(services.lines_for(self.request.user).prefetch_related("steps"))
        for line in lines:
            describe(line)
        return super().get_context_data(lines=lines, **kwargs)


class LineEditView(CapabilityMixin, ServiceFormView):
    capability = Action.HOTLINE_MANAGE
    template_name = "console/hotline/line.html"
    form_class = LineForm
    service = services.line_save
    success_message = gettext_lazy("The hotline %(line)s was saved: its hours and chain apply to the next call.")
    success_url = "console:hotline_lines"

    @cached_property
    def line(self) -> Line:
        try:
            return services.line_for(self.request.user, self.kwargs["pk"])
        except NotFound:
            raise Http404

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and can(request.user, self.capability):
            self.line  # noqa: B018  — another store's line answers 404 before anything else
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return LineForm.initial_for(self.line)

    def service_data(self, form) -> dict:
        return form.service_data()

    def service_kwargs(self, form) -> dict:
        return {"line": self.line}

    def success_message_data(self, form, result) -> dict:
        return {"line": result.name}

    def get_context_data(self, **kwargs):
        return super().get_context_data(line=self.line, **kwargs)


class LineCreateView(CapabilityMixin, ServiceFormView):
    """A new line: its number, its store, then hours and chain as on a line's page."""

    capability = Action.HOTLINE_MANAGE
    template_name = "console/hotline/line.html"
    form_class = NewLineForm
    service = services.line_create
    success_message = gettext_lazy("The hotline %(line)s was saved: its hours and chain apply to the next call.")
    success_url = "console:hotline_lines"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "stores": stores_for(self.request.user)}

    def get_initial(self):
        return {"open_days": list("1234567"), "open_from": "09:00", "open_to": "21:00", "callback_minutes": 30, "active": True,
                "steps-0-kind": StepKind.MANAGER_SEAT, "steps-0-ring_seconds": 15, "steps-1-kind": StepKind.MANAGER_MOBILE,
                "steps-1-ring_seconds": 20, "steps-2-kind": StepKind.DUTY_DESK, "steps-2-ring_seconds": 20,
                "steps-3-kind": StepKind.DUTY_MOBILE, "steps-3-ring_seconds": 20}

    def service_data(self, form) -> dict:
        return form.service_data()

    def success_message_data(self, form, result) -> dict:
        return {"line": result.name}
