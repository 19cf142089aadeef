from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EtlConfig(AppConfig):
    name = "etl"
    label = "etl"
    verbose_name = _("ETL y almacén de datos")
