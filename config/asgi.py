"""ASGI entry point: `vipdesk demo` and production serve vipdesk with uvicorn on this, so that the
live arrival stream (an async StreamingHttpResponse, vipdesk/console/arrivals/stream.py) holds no
worker thread per open page. Sync views run on asgiref's thread pool as under WSGI."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Under ASGI Django runs each request's sync code on a thread of its own, so a connection kept for
# reuse (CONN_MAX_AGE > 0) is never reused: it stays open, idle, until its thread is collected
# (measured: 11 idle PostgreSQL connections after 30 sequential requests to one uvicorn process).
# Close each at the end of its request instead, as Django advises for ASGI (docs/decisions.md).
os.environ.setdefault("VIPDESK_CONN_MAX_AGE", "0")
application = get_asgi_application()
