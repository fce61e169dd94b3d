from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from vipdesk.console.favicon import favicon

# Under /api/ these answer the JSON error shape, elsewhere Django's pages (vipdesk/api/errors.py).
handler400 = "vipdesk.api.errors.bad_request"
handler403 = "vipdesk.api.errors.permission_denied"
handler404 = "vipdesk.api.errors.page_not_found"
handler500 = "vipdesk.api.errors.server_error"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("vipdesk.api.urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon, name="favicon"),
    path("", include("vipdesk.console.urls")),
]
