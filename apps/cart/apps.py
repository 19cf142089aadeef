from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CartConfig(AppConfig):
    name = "apps.cart"
    label = "cart"
    verbose_name = _("Carrito")

    def ready(self):
        from apps.core.personal_data import personal_data_register

        from . import (
            handlers,  # noqa: F401  (subscriptions)
            selectors,
        )

        personal_data_register("carts", selectors.cart_personal_data)
