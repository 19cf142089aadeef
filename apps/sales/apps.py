from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "apps.sales"
    label = "sales"
    verbose_name = _("Ventas")

    def ready(self):
        from . import handlers  # noqa: F401  (subscriptions)
