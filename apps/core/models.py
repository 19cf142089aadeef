from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """An event recorded in the same transaction as the change that caused it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pendiente")
        DELIVERED = "delivered", _("Entregado")
        DEAD = "dead", _("Fallido")

    id = models.UUIDField(primary_key=True, editable=False)  # the event_id
    event_type = models.CharField(_("tipo de evento"), max_length=200)
    payload = models.JSONField(_("datos"))
    occurred_at = models.DateTimeField(_("ocurrido"))
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)
    status = models.CharField(
        _("estado"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("intentos"), default=0)
    next_attempt_at = models.DateTimeField(_("próximo intento"), default=timezone.now)
    locked_until = models.DateTimeField(_("reservado hasta"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("entregado"), null=True, blank=True)
    last_error = models.TextField(_("último error"), blank=True)

    class Meta:
        verbose_name = _("mensaje del outbox")
        verbose_name_plural = _("mensajes del outbox")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.pk}"


class HandledEvent(models.Model):
    """One row per (event, handler) that ran to completion: what makes handlers idempotent."""

    event_id = models.UUIDField()
    handler = models.CharField(max_length=255)
    handled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event_id", "handler"], name="handled_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.handler} {self.event_id}"


class OutgoingMail(models.Model):
    """An e-mail recorded before it is sent. Its key names it for good (an event and the
    handler that wrote it), so it is recorded once and sent once; a resend after a crash
    between sending and recording carries the same Message-ID, which the mail layer
    deduplicates."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pendiente")
        SENT = "sent", _("Enviado")
        DEAD = "dead", _("Fallido")

    key = models.CharField(max_length=200, unique=True)
    message_id = models.CharField(max_length=200)
    to = models.JSONField()
    subject = models.CharField(max_length=255)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("correo saliente")
        verbose_name_plural = _("correos salientes")
        indexes = [models.Index(fields=["status", "created_at"], name="outgoing_mail_due_idx")]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"
