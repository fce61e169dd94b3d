"""Sign-ins, failed sign-ins, lockouts and sign-outs into the trail (audit.SignIn).

Django sends the first three kinds of signal from `authenticate()`/`login()`/`logout()`, django-axes
sends `user_locked_out` when a user name reaches AXES_FAILURE_LIMIT and again for each attempt while
it stays locked. One attempt makes one row: axes' own receivers run before these (axes is installed
before audit), so a failure that axes answered with a lockout is left to the lockout receiver.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model

from .models import SignIn
from .services import sign_in_record


def _typed_name(credentials) -> str:
    # Django has already replaced the password in `credentials` with stars; only the name is read.
    return str((credentials or {}).get("username") or "")


def _account(username: str):
    return get_user_model().objects.filter(username=username).first() if username else None


def on_signed_in(sender, request, user, **kwargs):
    sign_in_record(outcome=SignIn.Outcome.SIGNED_IN, username=user.get_username(), staff=user, request=request)


def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    if request is not None and getattr(request, "axes_locked_out", False):
        return  # recorded as a lockout by on_locked_out
    username = _typed_name(credentials)
    sign_in_record(outcome=SignIn.Outcome.FAILED, username=username, staff=_account(username), request=request)


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    username = str(username or "")
    sign_in_record(outcome=SignIn.Outcome.LOCKED_OUT, username=username, staff=_account(username), request=request)


def on_signed_out(sender, request=None, user=None, **kwargs):
    if user is None:  # signing out without a session: nothing to say
        return
    sign_in_record(outcome=SignIn.Outcome.SIGNED_OUT, username=user.get_username(), staff=user, request=request)
