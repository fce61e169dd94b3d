"""The project's URLs plus a stand-in `console:approvals` page (another branch brings the real
one): the home page and the menu link to it only once its name reverses; and a page that fails,
for the 500 page."""
from django.http import HttpResponse
from django.urls import include, path

from config import urls as project
from vipdesk.console import urls as console



def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("boom/", boom),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("vipdesk.api.urls")),
    path("", include((console.urlpatterns + [path("approvals/", lambda request: HttpResponse("queue"), name="approvals")], "console"))),
]
handler400, handler403, handler404, handler500 = project.handler400, project.handler403, project.handler404, project.handler500
