"""ASGI entry point: `vipdesk demo` and production serve vipdesk with uvicorn on this, so that the
live arrival stream (an async StreamingHttpResponse, vipdesk/console/arrivals/stream.py) holds no
worker thread per open page. Sync views run on asgiref's thread pool as under WSGI."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()
