"""Two-factor sign-in in the console: the code after the password, enrolment (QR drawn here, no
script), the person's own status and recovery codes, and HQ's reset of a lost phone.

The writes are vipdesk.accounts.two_factor; this module holds what belongs to the request: the
session's verified device (django_otp.login), and the lockout counter (django-axes) that a wrong
code feeds exactly like a wrong password.
"""
from __future__ import annotations

import django_otp
import segno
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView
from django_otp.plugins.otp_totp.models import TOTPDevice

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Role
from vipdesk.accounts.two_factor import (TWO_FACTOR_ROLES, Step, code_verify, enrolment_begin, enrolment_confirm,
                                         recovery_codes_renew, secret_text, two_factor_applies, two_factor_reset,
                                         two_factor_status)
from vipdesk.core.errors import DomainError, ValidationFailed

from ..forms import ServiceErrorsMixin
from ..mixins import domain_error_message
from .middleware import owed_step

NEW_CODES_KEY = "two_factor_new_codes"  # the recovery codes to show once, on the status page


class CodeForm(ServiceErrorsMixin, forms.Form):
    code = forms.CharField(
        label=_("Verification code"), max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "off",
                                      "spellcheck": "false", "class": "mono two-factor-code"}))


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def _next_query(request) -> str:
    target = _safe_next(request, "")
    return f"?{urlencode({'next': target})}" if target else ""


def _mark_verified(request, device) -> None:
    # A session that gains a factor gets a new key, as at sign-in: a key seen before the code is worth nothing after.
    django_otp.login(request, device)
    request.session.cycle_key()


class VerifyView(LoginRequiredMixin, FormView):
    """The 6-digit code (or a recovery code) after the password."""

    template_name = "console/two_factor/verify.html"
    form_class = CodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            step = owed_step(request)
            if step == Step.ENROL:
                return redirect(reverse("console:two_factor_enrol") + _next_query(request))
            if step is None:
                return redirect(_safe_next(request, reverse("console:home")))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=_safe_next(self.request, ""), **kwargs)

    def form_valid(self, form):
        request, user = self.request, self.request.user
        credentials = {"username": user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            return self._locked_out(credentials)
        try:
            device = code_verify(user=user, code=form.cleaned_data["code"])
        except ValidationFailed as exc:
            # A wrong code is a failed sign-in: the same per-user-name counter as a wrong password.
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                return self._locked_out(credentials)
            form.add_service_errors(exc)
            return self.form_invalid(form)
        AxesProxyHandler.reset_attempts(username=user.get_username())
        _mark_verified(request, device)
        if not isinstance(device, TOTPDevice):
            left = device.token_set.count()
            messages.warning(request, gettext("You signed in with a recovery code; %(left)s are left. "
                                              "Make new ones on your two-factor page.") % {"left": left})
        return redirect(_safe_next(request, reverse("console:home")))

    def _locked_out(self, credentials):
        """Sign the session out; django-axes' middleware turns the answer into the lockout page."""
        logout(self.request)
        self.request.axes_locked_out = True
        self.request.axes_credentials = credentials
        return redirect("console:login")


class EnrolView(LoginRequiredMixin, FormView):
    """Set up the authenticator: the QR code and the secret in text, confirmed by a first code."""

    template_name = "console/two_factor/enrol.html"
    form_class = CodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if not two_factor_applies(request.user):
                raise PermissionDenied
            if owed_step(request) == Step.VERIFY:
                return redirect(reverse("console:two_factor_verify") + _next_query(request))
            if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
                messages.info(request, gettext("Two-factor sign-in is already set up."))
                return redirect("console:two_factor_status")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        device = enrolment_begin(user=self.request.user)
        qr = segno.make(device.config_url, error="m")
        return super().get_context_data(
            # segno writes the SVG from the otpauth URL: markup of our own making, nothing of the user's.
            qr_svg=mark_safe(qr.svg_inline(scale=5, border=2, dark="#111", light="#fff",
                                           title=gettext("QR code for the authenticator app"))),
            secret=secret_text(device), issuer=settings.OTP_TOTP_ISSUER, account=self.request.user.get_username(),
            required=owed_step(self.request) == Step.ENROL, next=_safe_next(self.request, ""), **kwargs)

    def form_valid(self, form):
        try:
            device, codes = enrolment_confirm(user=self.request.user, code=form.cleaned_data["code"])
        except ValidationFailed as exc:
            form.add_service_errors(exc)
            return self.form_invalid(form)
        except DomainError as exc:
            domain_error_message(self.request, exc)
            return redirect("console:two_factor_enrol")
        _mark_verified(self.request, device)
        self.request.session[NEW_CODES_KEY] = codes
        messages.success(self.request, gettext("Two-factor sign-in is on. Keep the recovery codes below somewhere safe."))
        return redirect(reverse("console:two_factor_status") + _next_query(self.request))


class StatusView(LoginRequiredMixin, TemplateView):
    """The person's own page: is 2FA on, when last used, recovery codes left (and new ones, once)."""

    template_name = "console/two_factor/status.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            status=two_factor_status(user), new_codes=self.request.session.pop(NEW_CODES_KEY, None),
            is_hq=_is_hq(user), next=_safe_next(self.request, ""), **kwargs)


class RecoveryRenewView(LoginRequiredMixin, View):
    """POST: ten new recovery codes (the old ones stop working), shown once on the status page."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not two_factor_applies(request.user):
            raise PermissionDenied
        try:
            request.session[NEW_CODES_KEY] = recovery_codes_renew(user=request.user)
        except DomainError as exc:
            domain_error_message(request, exc)
        else:
            messages.success(request, gettext("New recovery codes are below; the old ones no longer work."))
        return redirect("console:two_factor_status")


def _is_hq(user) -> bool:
    return bool(user.is_superuser or user.role == Role.HQ_ADMIN)


class HqOnlyMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not _is_hq(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class StaffTwoFactorView(HqOnlyMixin, TemplateView):
    """HQ: who of the 2FA roles has an authenticator, with a reset for a lost phone."""

    template_name = "console/two_factor/staff.html"

    def get_context_data(self, **kwargs):
        staff = (Staff.objects.filter(Q(role__in=TWO_FACTOR_ROLES) | Q(is_superuser=True), is_active=True)
                 .annotate(enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
                           recovery_left=Count("staticdevice__token_set", distinct=True))
                 .order_by("role", "username"))
        return super().get_context_data(staff=staff, **kwargs)


class StaffTwoFactorResetView(HqOnlyMixin, View):
    """POST reason=…: remove the person's authenticator and recovery codes (audited)."""

    http_method_names = ["post"]

    def post(self, request, username, *args, **kwargs):
        staff = get_object_or_404(Staff, username=username)
        try:
            removed = two_factor_reset(actor=request.user, staff=staff, reason=request.POST.get("reason", ""))
        except DomainError as exc:
            domain_error_message(request, exc)
        else:
            if removed:
                messages.success(request, gettext("Two-factor sign-in of %(name)s was reset: they set it up again at "
                                                  "their next sign-in.") % {"name": staff})
            else:
                messages.info(request, gettext("%(name)s had no two-factor sign-in to reset.") % {"name": staff})
        return redirect("console:two_factor_staff")

