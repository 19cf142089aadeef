from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouponsConfig(AppConfig):
    name = "apps.coupons"
    label = "coupons"
    verbose_name = _("Cupones")

    def ready(self):
        from apps.core.personal_data import personal_data_register

        from . import selectors

        personal_data_register("coupon_uses", selectors.coupon_personal_data)
