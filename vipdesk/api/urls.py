from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from .errors import not_found
from .views import SwaggerView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SwaggerView.as_view(), name="api-docs"),
    path("v1/", include("vipdesk.members.api.urls")),
    path("v1/", include("vipdesk.till.api.urls")),
    path("v1/", include("vipdesk.points.api.urls")),
    path("v1/", include("vipdesk.wallet.api.urls")),
    path("v1/", include("vipdesk.coupons.api.urls")),
    path("v1/", include("vipdesk.pricing.api.urls")),
    path("v1/", include("vipdesk.messaging.api.urls")),
    path("v1/", include("vipdesk.feedback.api.urls")),
    path("v1/", include("vipdesk.performance.api.urls")),
    path("v1/", include("vipdesk.care.api.urls")),
    path("v1/", include("vipdesk.analytics.api.urls")),
    path("v1/", include("vipdesk.tiers.api.approvals")),  # the approval queue (issue 15 §2)
    path("v1/", include("vipdesk.webhooks.api.urls")),
    path("v1/", include("vipdesk.arrivals.api.urls")),  # arrival recognition (issue 19 §1)
    path("v1/", include("vipdesk.servicedesk.api.urls")),  # service tickets (issue 19 §2)
    path("v1/", include("vipdesk.salesimport.api.urls")),  # sales/batches/ (issue 17 §2)
    path("v1/", include("vipdesk.companies.api.urls")),  # organisation accounts; the evaluation's years, read only
    path("v1/", include("vipdesk.grading.api.urls")),  # a customer's grade, read only (issue 20 §3)
    path("v1/", include("vipdesk.partners.api.urls")),  # the partner counter (issue 18 §3): partner keys only
    # Anything else under /api/ is a JSON 404, like every other API error (a newline in the path too).
    re_path(r"^[\s\S]*$", not_found, name="api-not-found"),
]
