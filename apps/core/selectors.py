"""Reads of the shared kernel's own tables, for operations (metrics and the system page)."""

import dataclasses

from django.db.models import Count, Min, Q
from django.utils import timezone

from .models import OutboxMessage, OutgoingMail


@dataclasses.dataclass(frozen=True)
class BacklogStats:
    pending: int
    dead: int
    oldest_pending_seconds: float  # 0 when nothing waits


def _backlog(model, pending: str, dead: str, created_field: str) -> BacklogStats:
    row = model.objects.aggregate(
        pending=Count("pk", filter=Q(status=pending)),
        dead=Count("pk", filter=Q(status=dead)),
        oldest=Min(created_field, filter=Q(status=pending)),
    )
    oldest = row["oldest"]
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    return BacklogStats(pending=row["pending"], dead=row["dead"], oldest_pending_seconds=age)


def outbox_backlog() -> BacklogStats:
    """Events waiting for delivery, events given up on (dead) and the oldest wait."""
    return _backlog(
        OutboxMessage,
        OutboxMessage.Status.PENDING,
        OutboxMessage.Status.DEAD,
        "created_at",
    )


def mail_backlog() -> BacklogStats:
    """Recorded e-mails not sent yet, and those given up on."""
    return _backlog(
        OutgoingMail, OutgoingMail.Status.PENDING, OutgoingMail.Status.DEAD, "created_at"
    )
