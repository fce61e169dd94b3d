"""Home: the search box, the day's figures of the viewer's stores (issue 15 §5) and profile
completeness (R1.2). The figures come from vipdesk.reports.home, in aggregate queries."""
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Avg
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action, Role, can
from vipdesk.members.choices import MemberStatus
from vipdesk.members.models import Member
from vipdesk.members.selectors import completeness_by_owner, completeness_by_store
from vipdesk.reports.home import home_figures


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "console/home/index.html"
    TOP_OWNERS = 20

    def get_context_data(self, **kwargs):
        user = self.request.user
        scoped = Member.objects.restrict(user, Action.VIEW)
        active = scoped.filter(status=MemberStatus.ACTIVE)
        average = active.aggregate(avg=Avg("completeness"))["avg"]
        figures = home_figures(user)
        chain_wide = user.is_superuser or getattr(user, "role", None) in (Role.HQ_ADMIN, Role.AUDITOR)
        return super().get_context_data(
            member_count=active.count(),
            average_completeness=round(average) if average is not None else None,
            by_store=list(completeness_by_store(scoped)),
            by_owner=list(completeness_by_owner(scoped)[: self.TOP_OWNERS]),
            figures=figures, chain_wide=chain_wide or len(figures.stores) > 1,
            may_approve=can(user, Action.CARD_APPROVE),
            **kwargs,
        )
