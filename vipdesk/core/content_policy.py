"""The Content-Security-Policy of every answer (django-csp; the policy itself is in config/settings.py).

HTML pages (console, admin, API docs, later the portal) get the project policy: only our own origin,
scripts and <style> blocks only from our files or with the request's nonce, no plugins, no framing.
A JSON answer is never a page to render, so the API gets the minimal policy of a document that may
load nothing: should a browser ever be led to open one, nothing in it can run or be framed.
"""
from __future__ import annotations

from csp.constants import NONE
from csp.middleware import CSPMiddleware, PolicyParts

JSON_POLICY = {"default-src": [NONE], "frame-ancestors": [NONE]}


class ContentPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        # Only the settings' policy is swapped: a view that sets its own (@csp) keeps it.
        if not report_only and parts.config is None and "json" in response.get("Content-Type", ""):
            parts.config = JSON_POLICY
        return parts
