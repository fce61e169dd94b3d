"""The partner staff's counter page (issue 18 §3): a page with no data and no session of its own.
The staff paste their counter key once (kept in the browser tab's sessionStorage), then find a
member and record a benefit use; the page's script calls the partner API with that key, so it can
do exactly what the key may do and nothing more (docs/decisions.md, issue 18)."""
from django.views.generic import TemplateView


class CounterPageView(TemplateView):
    template_name = "partners/counter.html"
