from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("vipdesk.api.urls")),
    path("admin/", admin.site.urls),
    path("", include("vipdesk.console.urls")),
]
