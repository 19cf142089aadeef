"""The event bus's moving parts: publish into the outbox, deliver after commit.

``event_publish`` is called by an app's service inside its transaction: the
outbox row commits or rolls back with the change that caused it. After commit a
Celery task delivers the message; a periodic sweep delivers whatever is left
(a worker that died, a broker that was down, a handler that failed), with
exponential back-off, until ``MAX_ATTEMPTS`` marks the message dead for an
operator to look at in the admin.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .events import Event, event_from_payload, handlers_for
from .models import HandledEvent, OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
LEASE = timedelta(minutes=5)
BACKOFF_BASE_SECONDS = 5
BACKOFF_CAP = timedelta(hours=1)
KEEP_DELIVERED = timedelta(days=7)


def event_publish(event: Event) -> None:
    """Record ``event`` in the outbox; deliver it once the current transaction commits."""
    from . import tasks  # the task module imports this one

    OutboxMessage.objects.create(
        id=event.event_id,
        event_type=event.name,
        payload=event.to_payload(),
        occurred_at=event.occurred_at,
    )
    message_id = str(event.event_id)
    transaction.on_commit(lambda: tasks.outbox_deliver.delay(message_id), robust=True)


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=BACKOFF_BASE_SECONDS * 2 ** (attempts - 1)), BACKOFF_CAP)


def outbox_deliver(*, message_id: str) -> bool:
    """Run every handler of one message that has not run yet.

    Returns True when the message is fully delivered. A message another worker
    holds (its lease not expired) or already delivered is left alone.
    """
    now = timezone.now()
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.PENDING)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + LEASE)
    )
    if not claimed:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    event = event_from_payload(message.event_type, message.payload)

    failures = []
    for handler_name, handler in handlers_for(message.event_type).items():
        try:
            with transaction.atomic():
                _, first_time = HandledEvent.objects.get_or_create(
                    event_id=message.pk, handler=handler_name
                )
                if first_time:
                    handler(event)
        except Exception as exc:  # a handler's failure must not stop the others
            logger.exception("handler %s failed on event %s", handler_name, message.pk)
            failures.append(f"{handler_name}: {exc!r}")

    done = timezone.now()
    if failures:
        attempts = message.attempts + 1
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=attempts,
            status=OutboxMessage.Status.DEAD
            if attempts >= MAX_ATTEMPTS
            else OutboxMessage.Status.PENDING,
            next_attempt_at=done + _backoff(attempts),
            locked_until=None,
            last_error="\n".join(failures)[:4000],
        )
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.DELIVERED, delivered_at=done, locked_until=None
    )
    return True


def outbox_sweep(*, batch_size: int = 200) -> int:
    """Deliver the pending messages that are due; purge old delivered ones. Returns how many were delivered."""
    now = timezone.now()
    due = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:batch_size]
    )
    delivered = sum(outbox_deliver(message_id=str(pk)) for pk in due)
    old = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.DELIVERED, delivered_at__lt=now - KEEP_DELIVERED
    )
    HandledEvent.objects.filter(event_id__in=old.values("pk")).delete()
    old.delete()
    return delivered
