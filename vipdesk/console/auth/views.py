"""Sign-in and sign-out. Repeated failures lock the user name (django-axes, see settings)."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View

from vipdesk.accounts.sessions import staff_sign_out_everywhere


class LoginView(auth_views.LoginView):
    template_name = "console/auth/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's own rule): a link or an image tag cannot sign anybody out."""


class SignOutEverywhereView(LoginRequiredMixin, View):
    """Ends every session of the signed-in staff member (a tablet left signed in, a lost phone), this one too."""

    http_method_names = ["post"]

    def post(self, request):
        staff_sign_out_everywhere(actor=request.user)
        logout(request)
        messages.success(request, _("You have been signed out on all devices."))
        return redirect(settings.LOGIN_URL)
