"""到店识别: report an arrival by hand, put oneself (or, for a manager, a colleague) on duty, see
today's arrivals of one's own stores; and the two buttons of a live notice (已问候 / 接待).
Writes through vipdesk.arrivals.services."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _, gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Action, can
from vipdesk.accounts.scoping import store_ids_in_scope
from vipdesk.arrivals.choices import Outcome, Point
from vipdesk.arrivals.models import Arrival, DutyShift
from vipdesk.arrivals.services import arrival_report, duty_set, notice_act
from vipdesk.core import clock, masking
from vipdesk.core.errors import DomainError, NotFound, ValidationFailed
from vipdesk.org.scoping import stores_worked_at

from ..mixins import CapabilityMixin

IDENTIFIER_LABELS = (("card", gettext_lazy("Card number")), ("ecard", gettext_lazy("E-card code")), ("mobile", gettext_lazy("Mobile")),
                     ("id_number", gettext_lazy("ID number")))


def arrivals_in_scope(user):
    ids = store_ids_in_scope(user)
    qs = Arrival.objects.select_related("store", "member", "reported_by")
    return qs if ids is None else qs.filter(store_id__in=ids)


class ArrivalDeskView(CapabilityMixin, TemplateView):
    capability = Action.CARE_WORK
    template_name = "console/arrivals/desk.html"

    def get_context_data(self, **kwargs):
        user, today = self.request.user, clock.today()
        full = can(user, Action.SEE_FULL)
        arrivals = list(arrivals_in_scope(user).filter(at__date__gte=today)[:100])
        for a in arrivals:
            a.shown_name = (a.member.name if full else masking.mask_name(a.member.name)) if a.member else "—"
        stores = list(stores_worked_at(user))
        ids = store_ids_in_scope(user)
        duty = DutyShift.objects.filter(date=today).select_related("store", "staff").order_by("store__code", "point", "staff_id")
        if ids is not None:
            duty = duty.filter(store_id__in=ids)
        colleagues = Staff.objects.filter(stores__in=stores, is_active=True).distinct().order_by("username") \
            if can(user, Action.ROSTER_EDIT) else []
        return super().get_context_data(
            today=today, arrivals=arrivals, stores=stores, duty=list(duty), points=Point.choices, identifiers=IDENTIFIER_LABELS,
            colleagues=colleagues, form=kwargs.pop("form", {}), errors=kwargs.pop("errors", {}), **kwargs)

    def post(self, request):
        if request.POST.get("act") == "duty":
            return self.duty(request)
        kind = request.POST.get("kind", "")
        form = {k: request.POST.get(k, "") for k in ("store", "point", "kind", "value")}
        try:
            if kind not in dict(IDENTIFIER_LABELS):
                raise ValidationFailed(_("Choose how the person was identified."), fields={"kind": _("Required.")})
            arrival = arrival_report(actor=request.user, store=form["store"], point=form["point"], data={kind: form["value"]})
        except ValidationFailed as exc:
            errors = {("value" if key in dict(IDENTIFIER_LABELS) or key == "identifier" else key): msg[0]
                      for key, msg in exc.fields.items()}
            return self.render_to_response(self.get_context_data(form=form, errors=errors or {"value": exc.message}), status=400)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("console:arrivals")
        if arrival.outcome == Outcome.ANNOUNCED:
            messages.success(request, _("Recorded; the staff on duty have been told."))
        else:
            messages.info(request, _("Recorded; nobody was told (%(why)s).") % {"why": arrival.get_outcome_display()})
        return redirect("console:arrivals")

    def duty(self, request):
        store = next((s for s in stores_worked_at(request.user) if s.code == request.POST.get("store")), None)
        staff_id = request.POST.get("staff") or request.user.pk
        staff = Staff.objects.filter(pk=staff_id).first() if str(staff_id).isdigit() else None
        try:
            if store is None or staff is None:
                raise ValidationFailed(_("Choose the store."), fields={"store": _("Required.")})
            duty_set(actor=request.user, store=store, staff=staff, point=request.POST.get("point", ""),
                     on_duty_now=request.POST.get("off") != "1")
            messages.success(request, _("Duty roster updated."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("console:arrivals")


class NoticeActView(CapabilityMixin, View):
    """POST act=greeted|taken on one's own notice; JSON for the notice pane's script."""

    capability = Action.CARE_WORK

    def post(self, request, pk):
        try:
            n = notice_act(actor=request.user, notice=pk, act=request.POST.get("act", ""))
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            return JsonResponse({"code": exc.code, "message": str(exc.message)}, status=exc.status)
        return JsonResponse({"id": n.pk, "state": n.state, "label": n.get_state_display()})
