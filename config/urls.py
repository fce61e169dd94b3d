from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from vipdesk.console.favicon import favicon
from vipdesk.campaigns.api.optout_page import OptOutPageView
from vipdesk.events.api.rsvp_page import RsvpPageView
from vipdesk.partners.api.counter_page import CounterPageView

# Console pages in the user's language; under /api/ the JSON error shape (vipdesk/console/errors.py
# hands API paths on to vipdesk/api/errors.py).
handler400 = "vipdesk.console.errors.bad_request"
handler403 = "vipdesk.console.errors.permission_denied"
handler404 = "vipdesk.console.errors.page_not_found"
handler500 = "vipdesk.console.errors.server_error"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("vipdesk.api.urls")),
    path("admin/", admin.site.urls),
    path("sip/hotline/", include("vipdesk.hotline.api.urls")),  # kamailio's questions and reports (shared secret)
    path("m/", include("vipdesk.portal.urls")),  # the member portal (its own principal: vipdesk/portal/auth.py)
    path("favicon.ico", favicon, name="favicon"),
    # the partner staff's counter page (issue 18 §3): no data of its own, it calls the partner API with their key
    path("partner/", CounterPageView.as_view(), name="partner-counter"),
    # a campaign's opt-out link (issue 18 §1): the signed token is the only key
    path("o/<str:token>/", OptOutPageView.as_view(), name="campaign-optout"),
    # an event invitation's reply link (issue 18 §2): the signed, time-limited token is the only key
    path("e/<str:token>/", RsvpPageView.as_view(), name="event-rsvp"),
    path("", include("vipdesk.console.urls")),
]
