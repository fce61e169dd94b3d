"""`{% member_insight_pane member %}`: the insight pane of the 360° page (R8.5), computed here so the
member page's view needs no change."""
from django import template

from vipdesk.reports.insight import member_insight

register = template.Library()


@register.inclusion_tag("console/includes/pane_insight.html")
def member_insight_pane(member):
    return {"insight": member_insight(member)}
