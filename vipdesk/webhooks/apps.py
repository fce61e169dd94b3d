from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "vipdesk.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from . import receivers, tasks  # tasks: the queue's "deliver now" (outbox.kick) in every process

        receivers.connect()
        assert tasks.deliver_webhooks_now is not None
