"""The console's error pages (issue 15 §7): 400, 403, 404 and 500 as console pages in the user's
language with a way home. Under /api/ the JSON answers of vipdesk.api.errors stay (config/urls.py
points Django's handlers here; this module hands API paths on).

404 and 403 render inside the console's frame (menu, language switch); 400 and 500 render a page
that needs no request context — a refused Host or a broken database must not break the error page.
"""
from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from vipdesk.api import errors as api_errors


def _framed(request, status: int, title: str, text: str) -> HttpResponse:
    return render(request, "console/errors/error.html", {"code": status, "title": title, "text": text}, status=status)


def _bare(status: int, title: str, text: str) -> HttpResponse:
    body = loader.get_template("console/errors/bare.html").render({"code": status, "title": title, "text": text})
    return HttpResponse(body, status=status)


@requires_csrf_token
def page_not_found(request, exception=None, *args, **kwargs):
    if api_errors.is_api(request):
        return api_errors.page_not_found(request, exception, *args, **kwargs)
    return _framed(request, 404, _("No such page"),
                   _("The address may be mistyped, or the record is not in your stores or your book."))


@requires_csrf_token
def permission_denied(request, exception=None, *args, **kwargs):
    if api_errors.is_api(request):
        return api_errors.permission_denied(request, exception, *args, **kwargs)
    return _framed(request, 403, _("Your role may not use this page"),
                   _("If you need it for your work, ask your store manager or HQ to change your role."))


def bad_request(request, exception=None, *args, **kwargs):
    if api_errors.is_api(request):
        return api_errors.bad_request(request, exception, *args, **kwargs)
    return _bare(400, _("The request could not be handled"),
                 _("The browser sent something the system cannot accept. Go back to the home page and try again."))


def server_error(request, *args, **kwargs):
    if api_errors.is_api(request):
        return api_errors.server_error(request, *args, **kwargs)
    return _bare(500, _("Something went wrong"),
                 _("The error has been recorded in the server's log. Try again in a moment, or tell your administrator."))
