from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "vipdesk.events"
    label = "events"
    verbose_name = "VIP events"

    def ready(self):
        # The invitation's reply link, filled into an invitation campaign's messages (campaigns.services).
        from vipdesk.campaigns.services import register_placeholder

        from .links import RSVP_PLACEHOLDER, rsvp_url_for_campaign

        register_placeholder(RSVP_PLACEHOLDER, rsvp_url_for_campaign)
