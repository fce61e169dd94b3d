"""Sign-in and sign-out. Repeated failures lock the user name (django-axes, see settings)."""
from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    template_name = "console/auth/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's own rule): a link or an image tag cannot sign anybody out."""
