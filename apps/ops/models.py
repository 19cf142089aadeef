from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BackupRun(models.Model):
    """One backup: where it went, and whether restoring it into a scratch database gave
    back what was saved."""

    class Status(models.TextChoices):
        RUNNING = "running", _("en curso")
        VERIFIED = "verified", _("comprobada")
        FAILED = "failed", _("fallida")

    started_at = models.DateTimeField(_("inicio"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    status = models.CharField(
        _("estado"), max_length=20, choices=Status.choices, default=Status.RUNNING
    )
    path = models.CharField(_("ruta"), max_length=500, blank=True)
    size_bytes = models.BigIntegerField(_("tamaño (bytes)"), default=0)
    check_detail = models.JSONField(_("comprobación"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("copia de seguridad")
        verbose_name_plural = _("copias de seguridad")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status}"
