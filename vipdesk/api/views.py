"""The API documentation page: Swagger UI from the vendored sidecar files, nothing from a CDN."""
from __future__ import annotations

import json

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerView, _get_sidecar_url


class SwaggerView(SpectacularSwaggerView):
    url_name = "api-schema"
    template_name = "api/swagger_ui.html"  # the inline parts carry the CSP nonce

    @staticmethod
    def _swagger_ui_favicon():
        return _get_sidecar_url("swagger-ui-dist/favicon-32x32.png")

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # validatorUrl=None: Swagger UI would otherwise send the schema to validator.swagger.io.
        settings = json.loads(response.data["settings"]) if response.data.get("settings") else {}
        settings.update(validatorUrl=None, persistAuthorization=True, deepLinking=True)
        response.data["settings"] = json.dumps(settings)
        return response
