from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestMinute(models.Model):
    """One process's requests of one view group in one minute: what the system page reads,
    so it works without Prometheus. Each process writes its own rows (no contention);
    the page adds them up. Latency is kept as counts per bound (``rollup.LATENCY_BOUNDS_MS``,
    then one count over the last bound), so percentiles add up across processes."""

    minute = models.DateTimeField(_("minuto"), db_index=True)
    group = models.CharField(_("grupo de vistas"), max_length=32)
    process = models.CharField(_("proceso"), max_length=80)
    requests = models.PositiveIntegerField(_("peticiones"))
    client_errors = models.PositiveIntegerField(_("errores 4xx"))
    server_errors = models.PositiveIntegerField(_("errores 5xx"))
    duration_ms_total = models.FloatField(_("duración total (ms)"))
    buckets = models.JSONField(_("peticiones por tramo de latencia"))

    class Meta:
        verbose_name = _("minuto de peticiones")
        verbose_name_plural = _("minutos de peticiones")

    def __str__(self) -> str:
        return f"{self.minute:%Y-%m-%d %H:%M} {self.group} {self.requests}"
