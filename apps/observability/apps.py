from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservabilityConfig(AppConfig):
    name = "apps.observability"
    label = "observability"
    verbose_name = _("Observabilidad")

    def ready(self) -> None:
        from . import celery_signals, tracing

        celery_signals.connect()
        tracing.configure_from_settings()
