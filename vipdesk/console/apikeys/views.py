"""The API keys in the console (issue 21 §5): a read-only HQ list of terminals' and integrations'
keys with their store, role, creation, expiry, last use and whether they are active. Keys are
created and rotated with `vipdesk apikey` on the server (a key is shown once, where it is made);
disabling one stays in the admin."""
from __future__ import annotations

from django.utils import timezone
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action, Role
from vipdesk.org.selectors import api_clients_listed

from ..mixins import CapabilityMixin


class ApiKeyListView(CapabilityMixin, TemplateView):
    capability = Action.API_KEYS
    template_name = "console/apikeys/list.html"

    def get_context_data(self, **kwargs):
        now = timezone.now()
        keys = list(api_clients_listed())
        for key in keys:
            # One state for the badge: disabled beats expired beats "still working after a rotation".
            key.state = ("disabled" if not key.active else "expired" if key.expired(now)
                         else "rotating" if key.replaced_by_id else "active")
            key.role_label = Role(key.role).label if key.role in Role.values else key.role
        return super().get_context_data(keys=keys, now=now, **kwargs)
