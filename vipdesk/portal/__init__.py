"""The member portal (会员中心) at /m/: the VIP's own side of vipdesk, a mobile web app.

Members and staff are separate principals. A member signs in with her mobile and a one-time SMS
code (signin.py) and gets a PortalSession (models.py): its own cookie (`vipdesk_m`), its own table,
30 days on a device. Django's staff session and login are never used here, and a member cookie
opens nothing in the console or the staff API.

Extension points (how to add a portal page; keep to these so every page stays the member's own):

- **Views**: subclass `vipdesk.portal.auth.MemberView` (a TemplateView) or mix
  `vipdesk.portal.auth.MemberRequiredMixin` into any class-based view; decorate a function view
  with `vipdesk.portal.auth.member_required`. Either gives `request.member` (the signed-in
  member, never from the URL) and sends anyone else to the sign-in page. Read only through
  `request.member` (e.g. `Thing.objects.filter(member=request.member, pk=pk)`, or
  `get_object_or_404(..., member=request.member)`): never look up another member by an id from
  the URL or body. Writes call the domain services (members, points, …) as everywhere else.
- **URLs**: add `path(...)` rows to `vipdesk/portal/urls.py` (namespace `portal`). Every route
  there is walked by tests/test_idor.py (other member's ids in URLs and bodies) and needs a row in
  vipdesk/testing/access.py (`R("portal:…", MEMBER)`).
- **Templates**: extend `portal/base.html` (blocks `title`, `content`, `scripts`; `back` for the
  back link, `body_class`). Phone first (360–430 px). Inline scripts/styles need
  `nonce="{{ request.csp_nonce }}"`; prefer files in static/portal/.
- **Navigation**: the home page's tiles are `portal/includes/tiles.html`; add a tile there. The
  bottom tab bar is `portal/includes/tabbar.html`.
- **Audit**: member-side events are audit Events with verbs `portal.*` (`vipdesk.portal.auth.audit`).

Modules: models.py (SignInCode, PortalSession), signin.py (codes: send, verify, limits),
auth.py (the member session, mixin, decorator), views.py (sign-in, join, home, sign-out), urls.py.
"""
