from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "vipdesk.sales"
    label = "sales"
    verbose_name = "交易"
