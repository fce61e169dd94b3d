"""Home: the search box and a small dashboard of the viewer's scope (R1.2 completeness)."""
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Avg
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action
from vipdesk.members.choices import MemberStatus
from vipdesk.members.models import Member
from vipdesk.members.selectors import completeness_by_owner, completeness_by_store


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "console/home/index.html"
    TOP_OWNERS = 20

    def get_context_data(self, **kwargs):
        scoped = Member.objects.restrict(self.request.user, Action.VIEW)
        active = scoped.filter(status=MemberStatus.ACTIVE)
        average = active.aggregate(avg=Avg("completeness"))["avg"]
        return super().get_context_data(
            member_count=active.count(),
            average_completeness=round(average) if average is not None else None,
            by_store=list(completeness_by_store(scoped)),
            by_owner=list(completeness_by_owner(scoped)[: self.TOP_OWNERS]),
            **kwargs,
        )
