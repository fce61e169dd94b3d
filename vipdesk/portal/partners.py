"""联盟商家 in the member portal (issue 18 §3): the partner merchants in force and what they give
her level — 9.5折, a free drink… — with the limits per month and per visit and how many she has used
this month (vipdesk.partners.selectors). Read-only: a benefit is used at the partner's counter."""
from __future__ import annotations

from vipdesk.partners.selectors import member_partner_benefits

from .auth import MemberView


class PartnersView(MemberView):
    template_name = "portal/partners.html"
    tab = "me"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**member_partner_benefits(self.member), **kwargs)
