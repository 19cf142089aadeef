from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CartConfig(AppConfig):
    name = "apps.cart"
    label = "cart"
    verbose_name = _("Carrito")

    def ready(self):
        from . import handlers  # noqa: F401  (subscriptions)
