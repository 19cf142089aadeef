from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "apps.sales"
    label = "sales"
    verbose_name = _("Ventas")

    def ready(self):
        from apps.core.personal_data import personal_data_register

        from . import (
            handlers,  # noqa: F401  (subscriptions)
            selectors,
        )

        personal_data_register("orders", selectors.order_personal_data)
