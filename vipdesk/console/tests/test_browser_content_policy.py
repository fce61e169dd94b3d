"""The Content-Security-Policy (config/settings.py) enforced in a real (headless Debian) Chromium.

HQ tours the main pages of the demo chain: the reports' charts draw, the sign-in and member-search
forms submit, the API docs come up, and the browser reports no violation of the policy on the way.
Then markup an attacker got into a page (an inline <script>, an event-handler attribute) is refused:
the browser fires a violation event and the script does not run, while a script carrying the
request's nonce does (the check sees what it claims to see). The Django admin works under it too.
With VIPDESK_SCREENSHOTS set, the member list and the report are kept as screenshots (1280 px).
"""
import re

import pytest
from django.urls import reverse

from vipdesk.accounts.roles import Role
from vipdesk.demo.load import demo_load
from vipdesk.members.models import Member
from vipdesk.reports.tests.test_browser_report import INK
from vipdesk.testing.factories import StaffFactory

from .browser import MARKS, page, shot  # noqa: F401  (page is a fixture)
from .conftest import PASSWORD
from .test_browser_quote import sign_in

pytestmark = MARKS

# Runs before the page's own scripts on every navigation (Playwright injects it outside the page's
# policy) and keeps each violation the page reports.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", e => window.__violations.push(
  {directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, page: location.pathname}));
"""
VIOLATIONS = "() => window.__violations || []"

# The main pages of each area, as HQ sees them (URL name, kwargs).
TOUR = [
    ("console:home", {}), ("console:member_list", {}), ("console:member_create", {}),
    ("console:pos_sale", {}), ("console:pos_quote", {}), ("console:pos_topup", {}),
    ("console:loyalty_programme", {}), ("console:loyalty_earn_rules", {}), ("console:loyalty_points_policy", {}),
    ("console:coupon_campaigns", {}), ("console:coupon_issue", {}), ("console:pricing_policy", {}),
    ("console:care_today", {}), ("console:care_rules", {}), ("console:message_templates", {}), ("console:outbox", {}),
    ("console:complaint_list", {}), ("console:performance", {}), ("console:clearing", {}),
    ("console:segment_list", {}), ("console:segment_new", {}), ("console:classification_policy", {}),
]


def listening(page):
    """Collect the policy's violation events and the browser's own console complaints about it."""
    complaints = []
    page.add_init_script(LISTEN)
    page.on("console", lambda msg: complaints.append(msg.text) if "Content Security Policy" in msg.text else None)
    return complaints


@pytest.mark.django_db(transaction=True)
def test_the_console_works_under_the_policy_without_a_violation(live_server, page):
    demo_load(members=40)
    StaffFactory(username="hq_csp", role=Role.HQ_ADMIN)
    member = Member.objects.order_by("pk").first()
    page.set_viewport_size({"width": 1280, "height": 900})
    complaints = listening(page)
    seen = []  # the violation events of each page, read before leaving it
    base = live_server.url

    sign_in(page, base, "hq_csp")                         # a form submits under form-action 'self'
    seen += page.evaluate(VIOLATIONS)
    page.fill("#member-search", member.mobile[-4:])
    page.click("#search-submit")
    page.wait_for_selector("#member-results")
    assert member.member_no in page.inner_text("#member-results")
    # The completeness meters: a class now sets the bar's length, no style="" attribute.
    bars = page.locator("#member-results .meter-bar")
    assert bars.count() > 0 and any(box["width"] > 0 for box in (b.bounding_box() for b in bars.all()))
    shot(page, "csp-member-list.png")
    seen += page.evaluate(VIOLATIONS)
    page.click(f"text={member.member_no}")
    page.wait_for_selector("#member-mobile")
    seen += page.evaluate(VIOLATIONS)

    for name, kwargs in TOUR:
        response = page.goto(base + reverse(name, kwargs=kwargs))
        assert response.ok, (name, response.status)
        assert "'nonce-" in response.headers["content-security-policy"], name
        seen += page.evaluate(VIOLATIONS)

    page.goto(base + reverse("console:report"))
    page.wait_for_selector("html[data-charts-drawn]")
    charts = page.query_selector_all("[data-chart]")
    assert len(charts) == 12
    for chart in charts:
        assert chart.evaluate(INK) > 500, chart.get_attribute("data-chart")
    # A tooltip opens under the pointer (ECharts' HTML tooltips would be refused: reports.js).
    charts[0].scroll_into_view_if_needed()
    charts[0].evaluate("el => echarts.getInstanceByDom(el).on('showTip', () => { window.__tip = true; })")
    box = charts[0].bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(box["x"] + box["width"] / 2 + 5, box["y"] + box["height"] / 2)
    page.wait_for_function("() => window.__tip === true")
    shot(page, "csp-report.png")
    seen += page.evaluate(VIOLATIONS)

    # The API docs: Swagger UI from the vendored sidecar, started by its nonce-carrying script.
    page.goto(base + reverse("api-docs"))
    page.wait_for_selector(".swagger-ui .opblock")
    page.click(".swagger-ui .opblock-summary")            # an operation opens
    seen += page.evaluate(VIOLATIONS)
    assert seen == [] and complaints == [], (seen, complaints)


@pytest.mark.django_db(transaction=True)
def test_an_injected_inline_script_is_refused(live_server, page):
    StaffFactory(username="hq_csp", role=Role.HQ_ADMIN)
    complaints = listening(page)
    base = live_server.url
    sign_in(page, base, "hq_csp")
    members = base + reverse("console:member_list")

    # A page served with markup an attacker slipped in (a template printing a field |safe, say):
    # the real answer and its real headers, with a <script> added before </body>. A second script
    # carries the request's nonce, as the console's own scripts do: that one runs.
    def slip_in(route):
        answer = route.fetch()
        nonce = re.search(r"'nonce-([^']+)'", answer.headers["content-security-policy"]).group(1)
        body = answer.text().replace("</body>", "<script>window.__injected = 'ran';</script>"
                                     f"<script nonce=\"{nonce}\">window.__nonced = 'ran';</script></body>")
        route.fulfill(response=answer, body=body)

    page.route(members, slip_in)
    page.goto(members)
    page.wait_for_selector("#member-search")
    assert page.evaluate("() => window.__nonced") == "ran"
    assert page.evaluate("() => window.__injected") is None
    refused = page.evaluate(VIOLATIONS)
    assert [v["directive"] for v in refused] == ["script-src-elem"], refused
    assert "__injected" in refused[0]["sample"] or refused[0]["blocked"] == "inline"
    page.unroute(members)

    # Script written into the live page (as a DOM-based injection would): an inline <script>
    # element and an event-handler attribute; neither runs, each is reported.
    page.goto(members)
    page.wait_for_selector("#member-search")
    page.evaluate("""() => {
      const s = document.createElement("script");
      s.textContent = "window.__injected = 'ran';";
      document.body.appendChild(s);
      document.body.insertAdjacentHTML("beforeend", '<img src="/static/console/none.png" onerror="window.__handler = \\'ran\\'">');
    }""")
    page.wait_for_function("() => window.__violations.length >= 2")
    assert page.evaluate("() => [window.__injected, window.__handler]") == [None, None]
    directives = sorted(v["directive"] for v in page.evaluate(VIOLATIONS))
    assert directives == ["script-src-attr", "script-src-elem"], directives
    assert any("Content Security Policy" in text for text in complaints)


@pytest.mark.django_db(transaction=True)
def test_the_back_office_works_under_the_policy(live_server, page):
    StaffFactory(username="root_csp", role=Role.HQ_ADMIN, is_staff=True, is_superuser=True)
    complaints = listening(page)
    seen = []
    base = live_server.url
    page.goto(base + reverse("admin:login"))
    page.fill("#id_username", "root_csp")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#content-main")
    seen += page.evaluate(VIOLATIONS)
    for name in ("admin:accounts_staff_changelist", "admin:accounts_staff_add", "admin:members_card_changelist",
                 "admin:messaging_messagetemplate_changelist", "admin:audit_event_changelist"):
        response = page.goto(base + reverse(name))
        assert response.ok, (name, response.status)
        page.wait_for_selector("#content-main")
        seen += page.evaluate(VIOLATIONS)
    assert seen == [] and complaints == [], (seen, complaints)
