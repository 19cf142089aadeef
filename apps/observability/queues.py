"""How many messages wait in the Celery queue, asked of the broker (any kombu transport)."""

import logging

from django.conf import settings

logger = logging.getLogger(__name__)

DEFAULT_QUEUE = "celery"


def celery_queue_length(queue: str = DEFAULT_QUEUE) -> int | None:
    """Messages waiting in ``queue``; None when tasks run eagerly or the broker is away."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    from celery import current_app as app
    from kombu.exceptions import ChannelError

    try:
        with app.connection_for_read() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=1)
            try:
                declared = connection.default_channel.queue_declare(queue=queue, passive=True)
            except ChannelError:  # no worker has declared it yet: nothing waits
                return 0
            return int(declared.message_count)
    except Exception as exc:  # the broker is down: the gauge is absent, /readyz says why
        logger.warning("celery queue length unavailable: %r", exc)
        return None
