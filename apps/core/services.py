"""The event bus's moving parts: publish into the outbox, deliver after commit; and the
e-mail that handlers send, recorded before it is sent.

``event_publish`` is called by an app's service inside its transaction: the
outbox row commits or rolls back with the change that caused it. After commit the
message is handed to a Celery worker with one brief try (a checkout never waits on
the broker); a periodic sweep delivers whatever is left (a worker that died, a
broker that was down, a handler that failed), with exponential back-off, until
``MAX_ATTEMPTS`` marks the message dead for an operator to look at in the admin.
A worker's claim on a message is a short lease, renewed between handlers, so the
sweep retries a crashed delivery within a minute.
"""

import logging
import uuid
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .events import Event, event_from_payload, handlers_for
from .models import HandledEvent, OutboxMessage, OutgoingMail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
BACKOFF_BASE_SECONDS = 5
DELIVER_TASK = "core.outbox_deliver"
BACKOFF_CAP = timedelta(hours=1)
KEEP_DELIVERED = timedelta(days=7)


def event_publish(event: Event) -> None:
    """Record ``event`` in the outbox; deliver it once the current transaction commits."""
    OutboxMessage.objects.create(
        id=event.event_id,
        event_type=event.name,
        payload=event.to_payload(),
        occurred_at=event.occurred_at,
    )
    message_id = str(event.event_id)
    transaction.on_commit(lambda: _hand_to_worker(DELIVER_TASK, message_id), robust=True)


def _lease() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def _hand_to_worker(task_name: str, message_id: str) -> None:
    """One brief try at the broker; if it is away, the sweep delivers the message later.
    The task is named, not imported: its module imports this one."""
    if current_app.conf.task_always_eager:  # tests and scripts: the task, run here and now
        if task_name not in current_app.tasks:
            current_app.loader.import_default_modules()  # as a worker does when it starts
        current_app.tasks[task_name].apply_async((message_id,))
        return
    try:
        with current_app.pool.acquire(block=True, timeout=1) as connection:
            connection.ensure_connection(max_retries=0, timeout=1)
            current_app.send_task(task_name, (message_id,), connection=connection, retry=False)
    except Exception:  # the broker is down or slow: the message waits in the outbox
        logger.warning("outbox message %s left for the sweep: broker unavailable", message_id)


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
        .update(locked_until=now + _lease())
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
        # Still ours: renew the lease, so a slow handler is not taken over while it runs.
        OutboxMessage.objects.filter(pk=message.pk).update(locked_until=timezone.now() + _lease())

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
    mail_sweep()
    return delivered


# --- E-mail: recorded before it is sent ----------------------------------------------


def mail_queue(*, key: str, to: list[str], subject: str, body: str) -> None:
    """Record an e-mail in the current transaction and send it once that commits.

    ``key`` names the e-mail for good (say, the event's id and the handler): the same key
    is recorded and sent once, however often a handler runs. A crash after sending and
    before recording sends it again with the same Message-ID, which mail servers and
    clients treat as one message."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
    _mail, created = OutgoingMail.objects.get_or_create(
        key=key,
        defaults={
            "message_id": f"<{uuid.uuid5(uuid.NAMESPACE_URL, key)}@{domain}>",
            "to": list(to),
            "subject": subject[:255],
            "body": body,
        },
    )
    if created:
        transaction.on_commit(lambda: mail_send(key=key), robust=True)


def mail_send(*, key: str) -> bool:
    """Send one recorded e-mail unless it was sent already or someone is sending it."""
    now = timezone.now()
    claimed = (
        OutgoingMail.objects.filter(key=key, status=OutgoingMail.Status.PENDING)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + _lease(), attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    mail = OutgoingMail.objects.get(key=key)
    try:
        EmailMessage(
            subject=mail.subject,
            body=mail.body,
            to=mail.to,
            headers={"Message-ID": mail.message_id},
        ).send()
    except Exception as exc:  # the mail server is away: the sweep tries again
        logger.exception("e-mail %s not sent", key)
        OutgoingMail.objects.filter(pk=mail.pk).update(
            status=OutgoingMail.Status.DEAD
            if mail.attempts >= MAX_ATTEMPTS
            else OutgoingMail.Status.PENDING,
            locked_until=timezone.now() + _backoff(mail.attempts),
            last_error=repr(exc)[:4000],
        )
        return False
    OutgoingMail.objects.filter(pk=mail.pk).update(
        status=OutgoingMail.Status.SENT, sent_at=timezone.now(), locked_until=None
    )
    return True


def mail_sweep(*, batch_size: int = 200) -> int:
    """Send the recorded e-mails whose after-commit send never happened or failed."""
    now = timezone.now()
    due = list(
        OutgoingMail.objects.filter(status=OutgoingMail.Status.PENDING)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .order_by("created_at")
        .values_list("key", flat=True)[:batch_size]
    )
    sent = sum(mail_send(key=key) for key in due)
    OutgoingMail.objects.filter(
        status=OutgoingMail.Status.SENT, sent_at__lt=now - KEEP_DELIVERED
    ).delete()
    return sent
