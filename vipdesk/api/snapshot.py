"""One read of the configuration's versions for a whole API request (core.confcache.snapshot).

For endpoints that read configuration and never write it — a posting, a return, a quote — the API
key's authentication (api/auth.py) and the service share one statement that reads every group's
version, instead of one for the key and another for the service (bench/posting.py). Not for views
that write configuration: inside a snapshot a request would read its own change from the old cache.
"""
from __future__ import annotations

from vipdesk.core import confcache


class ConfigurationReadOnce:
    """APIView mixin: the request runs inside one configuration snapshot."""

    def dispatch(self, request, *args, **kwargs):
        with confcache.snapshot():
            return super().dispatch(request, *args, **kwargs)
