"""/favicon.ico: the console's mark (static/console/favicon.ico, drawn for vipdesk, no CDN). Browsers
ask for it at the site root whatever the page says, so it is served there, cached for a day."""
from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@require_GET
@cache_control(public=True, max_age=86400)
def favicon(request):
    path = finders.find("console/favicon.ico")
    if path is None:
        raise Http404
    with open(path, "rb") as fh:  # 5 KB: read whole, so every client (and test) gets plain content
        return HttpResponse(fh.read(), content_type="image/x-icon")
