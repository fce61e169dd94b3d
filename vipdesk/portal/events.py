"""我的活动 in the member portal (issue 18 §2): her invitations, upcoming and past
(vipdesk.events.selectors), and one invitation's page where she accepts (with guests), declines or cancels through the same reply service as the link in
her SMS and the staff (events.rsvp.rsvp_by_member): refusals in Chinese beside the form, success
by POST + redirect. The invitation in the URL is looked up among hers only — another member's id
is a 404 (tests/test_idor.py).
"""
from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from vipdesk.core.errors import DomainError
from vipdesk.events.rsvp import ANSWERS, rsvp_by_member
from vipdesk.events.selectors import member_events, member_invitation

from .auth import MemberView

DONE = ("accept", "decline", "cancel")  # ?done=… after the redirect: the notice to show


class EventsView(MemberView):
    template_name = "portal/events.html"
    tab = "me"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**member_events(self.member), **kwargs)


class EventView(MemberView):
    """One of her invitations: the event, her answer, and the reply form while she may still answer."""

    template_name = "portal/event.html"
    tab = "me"

    def invitation(self):
        found = member_invitation(self.member, self.kwargs["pk"])
        if found is None:
            raise Http404
        return found

    def get_context_data(self, **kwargs):
        invitation = kwargs.pop("invitation", None) or self.invitation()
        done = self.request.GET.get("done", "")
        if done in DONE and "notice" not in kwargs and "form_error" not in kwargs:
            notice = self._notice(done, invitation)
            if notice:
                kwargs["notice"] = notice
        return super().get_context_data(invitation=invitation, event=invitation.event,
                                        guest_range=range(invitation.event.guests_allowed + 1), **kwargs)

    @staticmethod
    def _notice(done: str, invitation) -> str | None:
        """What the redirect after her reply says — only when the invitation shows that reply."""
        status = invitation.status
        if done == "accept" and status == "waitlisted":
            return _("The places are taken: you are number %(n)d on the waiting list. We will tell you when a place is yours.") % {
                "n": invitation.queue or 0}
        if done == "accept" and status == "accepted":
            return _("Your place is kept. See you there!")
        if done == "decline" and status == "declined":
            return _("Thank you for letting us know.")
        if done in ("decline", "cancel") and status == "cancelled":
            return _("Your reply is cancelled.")
        return None

    def post(self, request, pk):
        invitation = self.invitation()
        answer = request.POST.get("answer", "")
        guests = request.POST.get("guests", "0")
        try:
            if answer not in ANSWERS:
                raise DomainError(_("Choose an answer."), code="validation_error")
            rsvp_by_member(member=self.member, event_id=invitation.event_id, answer=answer, guests=guests)
        except DomainError as exc:
            context = self.get_context_data(invitation=invitation, form_error=exc.message, fields=exc.fields)
            return self.render_to_response(context, status=400)
        return redirect(f"{reverse('portal:event', args=[invitation.pk])}?done={answer}")

