"""补登 (issue 15 §1): credit an anonymous sale to a member afterwards, from the console.

The cashier finds the sale by its receipt number (or lists a day's sales without a member),
identifies the member as at the till, sees what the member will get — the attach service run in
preview, rolled back — and confirms; the same service the POS API calls (`sale_attach_member`)
then credits the sale. Refusals (not found, too late, already credited, returned, another store,
a card that may not be used…) are put beside the field they concern.
"""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from vipdesk.core.errors import DomainError, ValidationFailed
from vipdesk.till import services as sales

from ...loyalty_reads import lines_summary, member_in_scope, sales_for, till_member
from ..forms import AttachForm
from .pos import MEMBER_CODES, PosMixin, _put, refusal

SALE_CODES = {"sale_not_found", "attach_too_late", "already_attached", "sale_has_returns"}
STORE_CODES = {"store_out_of_scope", "permission_denied"}
ATTACHED_SESSION_KEY = "console_attached"
BESIDE_THE_FIELD = gettext_lazy("The sale was not credited: see the message beside the field. Nothing was changed.")


def _field_for(exc: DomainError) -> str | None:
    if exc.code in SALE_CODES:
        return "receipt_no"
    if exc.code in MEMBER_CODES:
        return "member_value"
    if exc.code in STORE_CODES:
        return "store"
    return None


class AttachView(PosMixin, TemplateView):
    template_name = "console/till/attach.html"

    def get_context_data(self, **kwargs):
        if "form" not in kwargs:
            params = self.request.GET
            initial = {**self.till_initial(), **{k: params[k] for k in ("store", "receipt_no") if params.get(k)}}
            looking = bool(params.get("receipt_no") or params.get("date"))
            form = AttachForm(params if looking else None, stores=self.stores, initial=initial)
            kwargs["form"] = form
            if looking:
                kwargs.update(self.find(form))
        kwargs.update(self.attached_context())
        return super().get_context_data(stores=self.stores, days=sales.attach_days(), **kwargs)

    # ---- step 1: the sale ------------------------------------------------------------------------

    def find(self, form) -> dict:
        if not form.is_valid():
            return {"error": self.beside()}
        receipt_no = (form.cleaned_data.get("receipt_no") or "").strip()
        on = form.cleaned_data.get("date")
        store = form.cleaned_data.get("store")
        try:
            if receipt_no:
                sale = sales.attach_find_sale(actor=self.request.user, store=store, receipt_no=receipt_no)
                if on is not None and sale.business_date != on:
                    form.add_error("date", _("Receipt %(no)s is of %(date)s, not of this date.")
                                   % {"no": sale.receipt_no, "date": sale.business_date.isoformat()})
                    return {"error": self.beside()}
                sale.lines_text = lines_summary(sale.lines.all())
                return {"sale": sale}
            candidates = sales.attachable_sales(actor=self.request.user, store=store, on=on)
        except DomainError as exc:
            return {"error": self.refused(exc, form)}
        for sale in candidates:
            sale.lines_text = lines_summary(sale.lines.all())
        return {"candidates": candidates, "listed_on": on}

    # ---- step 2 and 3: the member, preview then confirm -------------------------------------------

    def post(self, request, *args, **kwargs):
        form = AttachForm(request.POST, stores=self.stores)
        confirm = request.POST.get("step") == "confirm"
        context = {"form": form}
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(error=self.beside(), **context))
        store, receipt_no = form.cleaned_data.get("store"), form.cleaned_data.get("receipt_no") or ""
        ref = form.member_ref()
        try:
            sale = sales.attach_find_sale(actor=request.user, store=store, receipt_no=receipt_no)
            sale.lines_text = lines_summary(sale.lines.all())
            context["sale"] = sale
            if not ref:
                raise ValidationFailed(_("Identify the member."), fields={"member_value": _("Identify the member.")})
            answer = sales.sale_attach_member(actor=request.user, store=store, receipt_no=receipt_no, member=ref, preview=not confirm)
        except DomainError as exc:
            context["error"] = self.refused(exc, form)
            return self.render_to_response(self.get_context_data(**context))
        if confirm:
            return self.done(sale, answer)
        by, value = next(iter(ref.items()))
        found = till_member(request.user, by if by in ("card", "mobile", "member_no") else "card", value)
        return self.render_to_response(self.get_context_data(preview=answer, found=found, **context))

    def done(self, sale, answer: dict):
        self.remember_till(sale.store.code)
        kept = dict(self.request.session.get(ATTACHED_SESSION_KEY) or {})
        kept = {k: v for k, v in list(kept.items())[-4:]}  # the last few results, for the page after the redirect
        kept[str(sale.pk)] = answer
        self.request.session[ATTACHED_SESSION_KEY] = kept
        points = answer.get("points") or {}
        messages.success(self.request, _("Receipt %(no)s was credited to member %(member)s: %(points)s points earned.")
                         % {"no": sale.receipt_no, "member": (answer.get("member") or {}).get("member_no", ""),
                            "points": f"{points.get('earned', 0):,}"})
        return HttpResponseRedirect(f"{reverse('console:pos_attach')}?{urlencode({'attached': sale.pk})}")

    def attached_context(self) -> dict:
        pk = self.request.GET.get("attached", "")
        if not pk.isdigit():
            return {}
        sale = sales_for(self.request.user).filter(pk=int(pk), member__isnull=False).select_related("store").first()
        if sale is None:
            return {}
        answer = (self.request.session.get(ATTACHED_SESSION_KEY) or {}).get(pk) or {}
        return {"attached": sale, "result": answer, "result_sale": sale,
                "result_member_link": member_in_scope(self.request.user, sale.member_id)}

    # ---- refusals ----------------------------------------------------------------------------------

    @staticmethod
    def beside() -> dict:
        return {"code": "validation_error", "headline": str(BESIDE_THE_FIELD), "detail": ""}

    def refused(self, exc: DomainError, form) -> dict:
        """Put the refusal beside its field; the box above the form then only says where to look."""
        placed = False
        for key, msgs in exc.fields.items():
            head = key.split(".")[0]
            field = "member_value" if head == "member" else head
            for message in msgs:
                if field in form.fields:
                    _put(form, field, message)
                    placed = True
        if not exc.fields and _field_for(exc):
            _put(form, _field_for(exc), exc.message)
            placed = True
        if placed:
            return {**self.beside(), "code": exc.code}
        return refusal(exc)
