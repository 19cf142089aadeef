from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = _("Cuentas")

    def ready(self):
        from . import handlers  # noqa: F401  (connects the sign-in signal receivers)
