"""The project's URLs plus a page that fails, for the 500 page."""
from django.urls import path

from config import urls as project


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *project.urlpatterns]
handler400, handler403, handler404, handler500 = project.handler400, project.handler403, project.handler404, project.handler500
