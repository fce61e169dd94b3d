"""The partner staff's counter page (issue 18 §3): a page with no data and no session of its own.
The staff paste their counter key once (kept in the browser tab's sessionStorage), then find a
member, record a benefit use and take points as payment (by card or e-card only: found by mobile,
the API refuses and the page shows why beside the form); the page's script calls the partner API with that key, so it can
do exactly what the key may do and nothing more (docs/decisions.md, issue 18)."""
from django.views.generic import TemplateView


class CounterPageView(TemplateView):
    template_name = "partners/counter.html"
