"""Cashier screens (issue 3 §6): post a sale or a return by hand, redeem points, open a receipt.

Each screen builds the same data dict the POS API builds and calls the same service
(`sale_post`, `return_post`, `points_redeem`); refusals come back as DomainErrors whose code
picks a plain Chinese headline and whose per-field messages are put next to the fields. A
refused posting changes nothing (the services roll back), except that an unusable card is
flagged for confiscation, as at any till (R2.4).
"""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Action, Role, can
from vipdesk.core.clock import today
from vipdesk.core.errors import DomainError, ValidationFailed
from vipdesk.core.masking import mask_name
from vipdesk.members.choices import CardStatus
from vipdesk.org.models import Store
from vipdesk.points.models import ItemStock, PointsEntry, RedemptionItem
from vipdesk.points.redemption import points_redeem, redemption_check
from vipdesk.till import services as sales
from vipdesk.sales.choices import SaleKind
from vipdesk.sales.models import Sale
from vipdesk.org.scoping import posting_store

from ...loyalty_reads import lines_summary, member_in_scope, sales_for, till_member, till_stores, yuan
from ...mixins import CapabilityMixin
from ..forms import (
    LineFormSet, PaymentFormSet, RedeemForm, RedeemLookupForm, ReturnForm, SaleForm, filled,
)

# A plain headline per refusal code; the service's own message (with the numbers) follows it.
HEADLINES = {
    "receipt_conflict": gettext_lazy("This receipt number was already posted with different content. Nothing was changed: "
                                     "check the receipt number."),
    "card_invalid": gettext_lazy("This card cannot be used: keep the card and call the membership desk. Nothing was changed."),
    "card_pending": gettext_lazy("This card is awaiting approval and cannot be used yet."),
    "card_frozen": gettext_lazy("This card is frozen and cannot be used now. Nothing was changed."),
    "card_not_found": gettext_lazy("No card with this number."),
    "ecard_expired": gettext_lazy("This member centre code has expired: ask the member to refresh the card on her phone. "
                                  "Nothing was changed."),
    "member_not_found": gettext_lazy("No member found with these details."),
    "member_withdrawn": gettext_lazy("This member has withdrawn from the programme."),
    "store_out_of_scope": gettext_lazy("You may only work at the tills of your own stores."),
    "permission_denied": gettext_lazy("Your role may not do this."),
    "validation_error": gettext_lazy("Please correct the fields marked below. Nothing was changed."),
    "insufficient_points": gettext_lazy("Not enough points."),
    "same_day_points": gettext_lazy("Points earned today can only be used from tomorrow."),
    "points_offset_invalid": gettext_lazy("Too few points for the amount paid with points."),
    "outside_window": gettext_lazy("This gift cannot be redeemed this month."),
    "out_of_stock": gettext_lazy("Not enough stock of this gift at this store."),
    "limit_reached": gettext_lazy("The member has reached the redemption limit for this gift."),
    "item_not_found": gettext_lazy("This gift is not in the catalogue."),
    "original_not_found": gettext_lazy("The original receipt was not found."),
    "return_exceeds_sale": gettext_lazy("That is more than is left to return on this receipt. Nothing was changed."),
}

MEMBER_CODES = {"card_invalid", "card_pending", "card_frozen", "card_not_found", "member_not_found", "member_withdrawn"}
POINTS_CODES = {"insufficient_points", "same_day_points", "points_offset_invalid"}


def readable(text: str) -> bool:
    """False for an English service message under a Chinese UI (a string nobody translated yet):
    the Chinese headline then stands alone rather than mixing languages on the screen."""
    return not (translation.get_language() or "").startswith("zh") or not str(text).isascii()


def refusal(exc: DomainError) -> dict:
    """{"code", "headline", "detail"} for the screen."""
    headline = str(HEADLINES.get(exc.code, "")) or (exc.message if readable(exc.message) else _("The request was refused."))
    detail = exc.message if exc.message != headline and readable(exc.message) and exc.code != "validation_error" else ""
    return {"code": exc.code, "headline": headline, "detail": detail}


TILL_SESSION_KEY = "console_till"


class PosMixin(CapabilityMixin):
    capability = Action.SELL

    @cached_property
    def stores(self) -> list[Store]:
        return list(till_stores(self.request.user))

    def till_initial(self) -> dict:
        """The store and terminal this user last posted at: a cashier keeps his till between receipts."""
        return dict(self.request.session.get(TILL_SESSION_KEY) or {})

    def posted_context(self, kind: str = SaleKind.SALE) -> dict:
        """The posting result of ?posted=<sale id> (after the redirect that follows a posting)."""
        posted = self.request.GET.get("posted", "")
        if not posted.isdigit():
            return {}
        sale = sales_for(self.request.user).filter(pk=int(posted), kind=kind).select_related("store").first()
        if sale is None:
            return {}
        return {**posting_result_context(self.request.user, sale), "replayed": self.request.GET.get("replayed") == "1"}

    def looked_up(self, form) -> dict:
        """{"store", "found", "looked_up"} for a store + member look-up form (no card presented)."""
        if not form.is_valid():
            return {}
        store = form.chosen_store()
        ref = form.member_ref()
        if store is None or not ref:
            return {"store": store}
        by, value = next(iter(ref.items()))
        return {"store": store, "found": till_member(self.request.user, by, value), "looked_up": True}

    def remember_till(self, store: str, terminal: str | None = None) -> None:
        till = self.till_initial()
        till["store"] = store
        if terminal is not None:
            till["terminal"] = terminal
        self.request.session[TILL_SESSION_KEY] = till


def _put(form, field: str | None, message: str) -> None:
    if field is not None and field not in form.fields:
        field = None
    form.add_error(field, message)


def _formset_error(formset, rows, parts: list[str], message: str) -> None:
    """`lines` / `lines.3` / `lines.3.amount` → the formset, its 4th filled row, that field."""
    if len(parts) >= 1 and parts[0].isdigit() and int(parts[0]) < len(rows):
        _put(rows[int(parts[0])], parts[1] if len(parts) > 1 else None, message)
    else:
        formset.non_form_errors().append(message)


def posting_result_context(user, sale: Sale) -> dict:
    result = dict(sale.result or {})
    member = result.get("member") or None
    return {"result": result, "result_sale": sale,
            "result_member_link": member and member_in_scope(user, member.get("id"))}


# ---- sale ------------------------------------------------------------------------------------

class SalePostView(PosMixin, TemplateView):
    template_name = "console/till/sale.html"

    def guides(self):
        return (Staff.objects.filter(is_active=True, stores__in=[s.pk for s in self.stores],
                                     role__in=[Role.GUIDE, Role.STORE_MANAGER, Role.ACCOUNT_MANAGER])
                .distinct().order_by("display_name", "username"))

    def forms(self, data=None):
        form = SaleForm(data, stores=self.stores, guides=self.guides(), initial=None if data else self.till_initial())
        lines = LineFormSet(data, prefix="lines")
        payments = PaymentFormSet(data, prefix="payments")
        return form, lines, payments

    def get_context_data(self, **kwargs):
        if "form" not in kwargs:
            kwargs["form"], kwargs["lines"], kwargs["payments"] = self.forms()
        kwargs.update(self.posted_context())
        return super().get_context_data(stores=self.stores, **kwargs)

    def post(self, request, *args, **kwargs):
        form, lines, payments = self.forms(request.POST)
        valid = form.is_valid() & lines.is_valid() & payments.is_valid()
        line_rows, pay_rows = filled(lines), filled(payments)
        error = None
        if valid:
            data = {**form.head(), "lines": [row.line() for row in line_rows], "payments": [row.payment() for row in pay_rows],
                    "amount_paid": (form.cleaned_data.get("amount_paid") or "").strip()}
            if form.member_ref():
                data["member"] = form.member_ref()
            if form.cleaned_data.get("guide"):
                data["guide"] = form.cleaned_data["guide"]
            try:
                posted = sales.sale_post(actor=request.user, data=data)
            except DomainError as exc:
                error = refusal(exc)
                self.put_errors(exc, form, lines, line_rows, payments, pay_rows)
            else:
                self.remember_till(posted.sale.store.code, posted.sale.terminal)
                return self.done(posted)
        else:
            error = {"code": "validation_error", "headline": str(HEADLINES["validation_error"]), "detail": ""}
        return self.render_to_response(self.get_context_data(form=form, lines=lines, payments=payments, error=error))

    def put_errors(self, exc, form, lines, line_rows, payments, pay_rows) -> None:
        for key, msgs in exc.fields.items():
            head, _dot, rest = key.partition(".")
            for message in msgs:
                if head == "lines":
                    _formset_error(lines, line_rows, rest.split(".") if rest else [], message)
                elif head == "payments":
                    _formset_error(payments, pay_rows, rest.split(".") if rest else [], message)
                elif head == "member":
                    _put(form, "member_value", message)
                else:
                    _put(form, head, message)
        if not exc.fields:
            if exc.code == "receipt_conflict":
                _put(form, "receipt_no", exc.message)
            elif exc.code in MEMBER_CODES:
                _put(form, "member_value", exc.message)
            elif exc.code == "store_out_of_scope":
                _put(form, "store", exc.message)
            elif exc.code in POINTS_CODES:
                payments.non_form_errors().append(exc.message if readable(exc.message) else str(HEADLINES[exc.code]))

    def done(self, posted: sales.PostingResult):
        result = posted.data
        points = result.get("points") or {}
        if posted.replayed:
            messages.info(self.request, _("Receipt %(no)s was posted before: this is the first result again; "
                                          "no points were added twice.") % {"no": posted.sale.receipt_no})
        elif points:
            messages.success(self.request, _("Receipt %(no)s posted: %(points)s points earned.")
                             % {"no": posted.sale.receipt_no, "points": f"{points.get('earned', 0):,}"})
        else:
            messages.success(self.request, _("Receipt %(no)s posted (no member identified, no points).")
                             % {"no": posted.sale.receipt_no})
        query = {"posted": posted.sale.pk, **({"replayed": 1} if posted.replayed else {})}
        return HttpResponseRedirect(f"{reverse('console:pos_sale')}?{urlencode(query)}")


# ---- return ----------------------------------------------------------------------------------

class ReturnPostView(PosMixin, TemplateView):
    template_name = "console/till/return.html"

    @cached_property
    def all_stores(self):
        return list(Store.objects.filter(active=True).order_by("code"))

    def original(self, store_code: str, original_store: str, receipt_no: str):
        code = (original_store or store_code or "").strip()
        receipt_no = (receipt_no or "").strip()
        if not code or not receipt_no:
            return None
        return (Sale.objects.filter(store__code=code, receipt_no=receipt_no, kind=SaleKind.SALE)
                .select_related("store").prefetch_related("lines").first())

    def get_context_data(self, **kwargs):
        params = self.request.GET
        if "form" not in kwargs:
            initial = {**self.till_initial(), **{k: params[k] for k in ("store", "original_store", "original_receipt_no") if params.get(k)}}
            form = ReturnForm(stores=self.stores, all_stores=self.all_stores, initial=initial)
            kwargs["form"] = form
            if params.get("original_receipt_no"):
                kwargs["original"] = self.original(params.get("store") or form.initial.get("store", ""),
                                                   params.get("original_store", ""), params["original_receipt_no"])
                kwargs["looked_up"] = True
        original = kwargs.get("original")
        if original is not None:
            quantities = kwargs.pop("quantities", {})
            line_errors = kwargs.pop("line_errors", {})
            original.rows = [{"line": ln, "left": ln.quantity - ln.returned_quantity, "asked": quantities.get(ln.line_no, ""),
                              "errors": line_errors.get(ln.line_no, [])} for ln in original.lines.all()]
            original.left = original.amount - original.returned_amount
        posted = params.get("posted", "")
        if posted.isdigit():
            ret = sales_for(self.request.user).filter(pk=int(posted), kind=SaleKind.RETURN).select_related("store").first()
            if ret is not None:
                kwargs.update(posting_result_context(self.request.user, ret))
                kwargs["replayed"] = params.get("replayed") == "1"
        return super().get_context_data(stores=self.stores, **kwargs)

    def post(self, request, *args, **kwargs):
        form = ReturnForm(request.POST, stores=self.stores, all_stores=self.all_stores)
        error, quantities, line_errors = None, {}, {}
        for key, value in request.POST.items():
            if key.startswith("qty_") and key[4:].isdigit() and value.strip() not in ("", "0"):
                quantities[int(key[4:])] = value.strip()
        original = None
        if form.is_valid():
            data = form.head()
            original_store = (form.cleaned_data.get("original_store") or "").strip()
            data["original"] = {"receipt_no": form.cleaned_data.get("original_receipt_no", "")}
            if original_store:
                data["original"]["store"] = original_store
            asked = sorted(quantities.items())
            if form.cleaned_data["mode"] == "lines":
                data["lines"] = [{"line_no": n, "quantity": q} for n, q in asked]
            original = self.original(data["store"], original_store, data["original"]["receipt_no"])
            if form.cleaned_data["mode"] == "lines" and not asked:
                error = {"code": "validation_error", "headline": str(HEADLINES["validation_error"]),
                         "detail": _("Enter the quantity returned on at least one line, or return the whole receipt.")}
            else:
                try:
                    posted = sales.return_post(actor=request.user, data=data)
                except DomainError as exc:
                    error = refusal(exc)
                    self.put_errors(exc, form, asked, line_errors)
                else:
                    self.remember_till(posted.sale.store.code, posted.sale.terminal)
                    return self.done(posted)
        else:
            error = {"code": "validation_error", "headline": str(HEADLINES["validation_error"]), "detail": ""}
        return self.render_to_response(self.get_context_data(form=form, error=error, original=original, looked_up=True,
                                                             quantities=quantities, line_errors=line_errors))

    def put_errors(self, exc, form, asked, line_errors) -> None:
        for key, msgs in exc.fields.items():
            parts = key.split(".")
            for message in msgs:
                if parts[0] == "lines" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(asked):
                    line_errors.setdefault(asked[int(parts[1])][0], []).append(message)
                elif parts[0] == "original":
                    _put(form, "original_store" if parts[-1] == "store" else "original_receipt_no", message)
                elif parts[0] in form.fields:
                    _put(form, parts[0], message)
                else:
                    _put(form, None, message)
        if not exc.fields:
            if exc.code == "receipt_conflict":
                _put(form, "receipt_no", exc.message)
            elif exc.code == "original_not_found":
                _put(form, "original_receipt_no", exc.message)
            elif exc.code == "store_out_of_scope":
                _put(form, "store", exc.message)

    def done(self, posted: sales.PostingResult):
        points = posted.data.get("points") or {}
        if posted.replayed:
            messages.info(self.request, _("Return %(no)s was posted before: this is the first result again.") % {"no": posted.sale.receipt_no})
        else:
            messages.success(self.request, _("Return %(no)s posted: %(amount)s returned, %(points)s points taken back.")
                             % {"no": posted.sale.receipt_no, "amount": yuan(posted.sale.amount), "points": f"{points.get('reversed', 0):,}"})
        query = {"posted": posted.sale.pk, **({"replayed": 1} if posted.replayed else {})}
        return HttpResponseRedirect(f"{reverse('console:pos_return')}?{urlencode(query)}")


# ---- redemption ------------------------------------------------------------------------------

class RedeemView(PosMixin, TemplateView):
    template_name = "console/till/redeem.html"

    def catalogue(self, store, on) -> list[RedemptionItem]:
        items = list(RedemptionItem.objects.filter(active=True).order_by("points", "code"))
        stock = dict(ItemStock.objects.filter(store=store, item__in=items).values_list("item_id", "on_hand")) if store else {}
        for item in items:
            item.in_window = not item.months or on.month in item.months
            item.on_hand = stock.get(item.pk, 0) if item.tracks_stock else None
        return items

    def lookup_context(self, form) -> dict:
        context = self.looked_up(form)
        found = context.get("found")
        if found is None:
            return context
        on = today(context["store"])
        return {**context, "on": on, "items": self.catalogue(context["store"], on) if found["found"] else [],
                "redemptions": self.recent(found["member"]) if found["found"] else []}

    def recent(self, member):
        rows = (PointsEntry.objects.filter(account__member_id=member.pk, redemption__isnull=False)
                .select_related("redemption__item", "redemption__store").order_by("-created_at", "-id")[:5])
        return list(rows)

    def get_context_data(self, **kwargs):
        if "form" not in kwargs:
            form = RedeemLookupForm(self.request.GET or None, stores=self.stores, initial=self.till_initial())
            kwargs["form"] = form
            if form.is_bound:
                kwargs.update(self.lookup_context(form))
        return super().get_context_data(stores=self.stores, **kwargs)

    def post(self, request, *args, **kwargs):
        form = RedeemForm(request.POST, stores=self.stores)
        lookup = RedeemLookupForm(request.POST, stores=self.stores)
        back = {k: request.POST.get(k, "") for k in ("store", "member_by", "member_value")}
        error = None
        if not form.is_valid():
            error = {"code": "validation_error", "headline": str(HEADLINES["validation_error"]),
                     "detail": " ".join(str(m) for msgs in form.errors.values() for m in msgs)}
        else:
            try:
                store = posting_store(request.user, form.cleaned_data["store"])
                if store is None:
                    raise ValidationFailed(_("Choose the store."), fields={"store": _("Choose the store.")})
                ref = form.member_ref()
                if not ref:
                    raise ValidationFailed(_("Identify the member."), fields={"member_value": _("Identify the member.")})
                # As the POS API does: the gift is checked before the member is identified, and the card is
                # presented (an unusable one is flagged) before the redemption.
                redemption_check(actor=request.user, item_code=form.cleaned_data["item_code"], store=store,
                                 quantity=form.cleaned_data["quantity"])
                member, card, _how = sales.identify_member(ref, actor=request.user, store=store)
                redemption = points_redeem(actor=request.user, member=member, item_code=form.cleaned_data["item_code"],
                                           store=store, quantity=form.cleaned_data["quantity"], card=card)
            except DomainError as exc:
                error = refusal(exc)
                error["item_code"] = form.cleaned_data.get("item_code")
            else:
                text = _("%(item)s × %(n)s redeemed for %(points)s points.") % {
                    "item": redemption.item.name, "n": redemption.quantity, "points": redemption.points}
                if redemption.fulfilment_code:
                    text += " " + _("Code to hand over: %(code)s") % {"code": redemption.fulfilment_code}
                messages.success(request, text)
                return HttpResponseRedirect(f"{reverse('console:pos_redeem')}?{urlencode(back)}")
        context = {"form": lookup, "error": error}
        context.update(self.lookup_context(lookup))
        # A refusal about a gift shown in the catalogue is said once, in its row; any other above the form.
        error["in_row"] = bool(error.get("item_code")) and any(i.code == error["item_code"] for i in context.get("items", []))
        return self.render_to_response(self.get_context_data(**context))


# ---- member look-up at the till (JSON for the sale screen) -----------------------------------

class TillMemberView(PosMixin, View):
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        found = till_member(request.user, request.GET.get("by", ""), request.GET.get("value", ""))
        if not found["found"]:
            return JsonResponse({"found": False, "text": _("No member found with these details.")})
        member, points, tier = found["member"], found["points"], found["tier"]
        name = ""
        if found["in_scope"]:
            name = member.name if can(request.user, Action.SEE_FULL) else mask_name(member.name)
        warning = ""
        if found["withdrawn"]:
            warning = str(HEADLINES["member_withdrawn"])
        elif found["card_status"] == CardStatus.PENDING:
            warning = str(HEADLINES["card_pending"])
        elif not found["card_usable"]:
            warning = _("This card is %(status)s: keep the card and call the membership desk.") % {"status": found["card_status_display"]}
        return JsonResponse({
            "found": True, "in_scope": found["in_scope"], "member_no": member.member_no, "name": name,
            "other_store": not found["in_scope"], "tier": tier.name if tier else "", "vip": bool(tier and tier.is_vip),
            # What can be spent today: points earned today wait until tomorrow (R5.4).
            "available": points["redeemable_today"], "balance": points["balance"], "warning": warning,
            "text": (_("Member of another store") if not found["in_scope"] else ""),
        })


# ---- a receipt -------------------------------------------------------------------------------

class SaleDetailView(CapabilityMixin, TemplateView):
    capability = Action.VIEW
    template_name = "console/till/sale_detail.html"

    def get_context_data(self, **kwargs):
        returns = Sale.objects.select_related("store").prefetch_related("lines").order_by("occurred_at", "id")
        qs = (sales_for(self.request.user).select_related("store", "member", "guide", "actor", "original__store")
              .prefetch_related("lines", "payments", Prefetch("returns", queryset=returns)))
        sale = qs.filter(pk=self.kwargs["pk"]).first()
        if sale is None:
            raise Http404
        entries = list(PointsEntry.objects.filter(sale=sale).order_by("created_at", "id"))
        for ret in sale.returns.all():
            ret.lines_text = lines_summary(ret.lines.all())
        return super().get_context_data(
            sale=sale, entries=entries, member_link=sale.member_id and member_in_scope(self.request.user, sale.member_id),
            result=sale.result or {}, **kwargs)
