"""报价收银: the checkout quote at the till (R7.4, issue 4 §5).

The cashier enters the member and the lines (the sale screen's rows), chooses coupons (given codes
or the best for the member), points (none, as many as allowed, or N) and stored value (none or as
much as the balance allows), and gets `pricing.services.quote_create`'s answer: every line with each
adjustment explained, the coupons, points and stored value, and what is left to pay. 成交 sends the
receipt number and the tenders for the rest to `quote_commit`, which posts the sale all or nothing;
the page then shows the posting result as the sale screen does.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from vipdesk.core.errors import DomainError
from vipdesk.pricing.models import Quote
from vipdesk.pricing.services import quote_create, quote_out
from vipdesk.till.quotes import quote_commit

from ...loyalty_reads import yuan
from ..forms import CommitForm, LineFormSet, NoTenderFormSet, QuoteForm, TenderFormSet, filled, now_local, occurred_at_iso
from .pos import HEADLINES, MEMBER_CODES, PosMixin, _formset_error, _put, refusal

SESSION_KEY = "console_quote_input"  # the quote form as posted, to show it again when 成交 is refused
OPTION_FIELDS = {"coupons": "coupon_codes", "points": "points", "stored_value": "stored_value_mode", "member": "member_value"}


class QuoteView(PosMixin, TemplateView):
    template_name = "console/till/quote.html"

    def quote_forms(self, data=None):
        form = QuoteForm(data, stores=self.stores, initial=None if data else self.till_initial())
        return form, LineFormSet(data, prefix="lines")

    def commit_forms(self, quote: dict, data=None):
        store = next((s for s in self.stores if s.code == quote["store"]), None)
        initial = {"quote": quote["id"], "terminal": self.till_initial().get("terminal", ""), "occurred_at": now_local(store)}
        form = CommitForm(data, initial=initial)
        if quote["to_pay"] == "0.00":
            tenders = NoTenderFormSet(data, prefix="tenders")
        else:
            tenders = TenderFormSet(data, prefix="tenders", initial=[{"method": "cash", "amount": quote["to_pay"]}])
        return form, tenders

    def get_context_data(self, **kwargs):
        if "form" not in kwargs:
            kwargs["form"], kwargs["lines"] = self.quote_forms()
        kwargs.update(self.posted_context())
        quote = kwargs.get("quote")
        if quote is not None:
            quote["expires_local"] = timezone.localtime(dt.datetime.fromisoformat(quote["expires_at"]))
        if quote is not None and "commit_form" not in kwargs:
            kwargs["commit_form"], kwargs["tenders"] = self.commit_forms(quote)
        return super().get_context_data(stores=self.stores, **kwargs)

    def post(self, request, *args, **kwargs):
        if request.POST.get("step") == "commit":
            return self.commit()
        return self.quote()

    # ---- 报价 ----------------------------------------------------------------------------------

    def quote(self):
        form, lines = self.quote_forms(self.request.POST)
        valid = form.is_valid() & lines.is_valid()
        rows = filled(lines)
        error, quote = None, None
        if valid:
            data = {"store": (form.cleaned_data.get("store") or "").strip(), "lines": [row.line() for row in rows], **form.options()}
            if form.member_ref():
                data["member"] = form.member_ref()
            try:
                quote = quote_create(actor=self.request.user, data=data)
            except DomainError as exc:
                error = refusal(exc)
                self.put_errors(exc, form, lines, rows)
            else:
                self.request.session[SESSION_KEY] = {"quote": quote["id"], "data": self.request.POST.dict()}
                self.remember_till(quote["store"])
        else:
            error = {"code": "validation_error", "headline": str(HEADLINES["validation_error"]), "detail": ""}
        return self.render_to_response(self.get_context_data(form=form, lines=lines, error=error, quote=quote))

    def put_errors(self, exc: DomainError, form, lines, rows) -> None:
        for key, msgs in exc.fields.items():
            head, _dot, rest = key.partition(".")
            for message in msgs:
                if head == "lines":
                    _formset_error(lines, rows, rest.split(".") if rest else [], message)
                else:
                    _put(form, OPTION_FIELDS.get(head, head), message)
        if not exc.fields:
            if exc.code.startswith("coupon_"):
                _put(form, "coupon_codes", exc.message)
            elif exc.code in MEMBER_CODES:
                _put(form, "member_value", exc.message)
            elif exc.code == "store_out_of_scope":
                _put(form, "store", exc.message)

    # ---- 成交 ----------------------------------------------------------------------------------

    def commit(self):
        post = self.request.POST
        found = Quote.objects.select_related("store", "member").filter(pk=_uuid(post.get("quote")),
                                                                        store__in=self.stores).first()
        if found is None:
            messages.error(self.request, _("This quote is not known here; make a new quote."))
            return HttpResponseRedirect(reverse("console:pos_quote"))
        quote = quote_out(found)
        commit_form, tenders = self.commit_forms(quote, post)
        error = None
        if commit_form.is_valid() & tenders.is_valid():
            c = commit_form.cleaned_data
            data = {"quote": quote["id"], "terminal": c.get("terminal", ""), "receipt_no": c.get("receipt_no", ""),
                    "occurred_at": occurred_at_iso(c.get("occurred_at", ""), found.store) or None,  # empty: now
                    "payments": [row.payment() for row in filled(tenders)]}
            if c.get("pin"):
                data["pin"] = c["pin"]
            try:
                posted = quote_commit(actor=self.request.user, data=data)
            except DomainError as exc:
                error = refusal(exc)
                self.put_commit_errors(exc, commit_form, tenders)
            else:
                self.remember_till(posted.sale.store.code, posted.sale.terminal)
                self.request.session.pop(SESSION_KEY, None)
                return self.done(posted)
        else:
            error = {"code": "validation_error", "headline": str(HEADLINES["validation_error"]), "detail": ""}
        saved = self.request.session.get(SESSION_KEY) or {}
        form, lines = self.quote_forms(saved.get("data") if saved.get("quote") == quote["id"] else None)
        if form.is_bound:
            form.is_valid(), lines.is_valid()
        return self.render_to_response(self.get_context_data(form=form, lines=lines, quote=quote, commit_form=commit_form,
                                                             tenders=tenders, error=error, commit_error=True))

    def put_commit_errors(self, exc: DomainError, form, tenders) -> None:
        rows = filled(tenders)
        for key, msgs in exc.fields.items():
            head, _dot, rest = key.partition(".")
            for message in msgs:
                if head == "payments":
                    _formset_error(tenders, rows, rest.split(".") if rest else [], message)
                elif head in ("lines", "member", "store"):
                    _put(form, None, message)
                else:
                    _put(form, head, message)
        if not exc.fields:
            if exc.code == "receipt_conflict":
                _put(form, "receipt_no", exc.message)
            elif exc.code in ("pin_required", "pin_invalid"):
                _put(form, "pin", exc.message)

    def done(self, posted):
        result = posted.data
        if posted.replayed:
            messages.info(self.request, _("Receipt %(no)s was posted before: this is the first result again; "
                                          "no points were added twice.") % {"no": posted.sale.receipt_no})
        else:
            messages.success(self.request, _("Receipt %(no)s posted from the quote: %(amount)s.")
                             % {"no": posted.sale.receipt_no, "amount": yuan(result.get("amount_paid"))})
        query = {"posted": posted.sale.pk, **({"replayed": 1} if posted.replayed else {})}
        return HttpResponseRedirect(f"{reverse('console:pos_quote')}?{urlencode(query)}")


def _uuid(raw):
    import uuid

    try:
        return uuid.UUID(str(raw or ""))
    except ValueError:
        return None
