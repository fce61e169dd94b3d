from django.apps import AppConfig


class SalesImportConfig(AppConfig):
    name = "vipdesk.salesimport"
    label = "salesimport"
    verbose_name = "Sales import"

    def ready(self):
        from . import tasks  # the queue's "process a batch" task, in every process

        assert tasks.process_sales_batch is not None
