"""Pieces of the JSON logging configured in settings (``LOGGING``).

Every record gets the request id (and the task id inside a task) from the context;
the request line carries what the ETL's logs source reads, and nothing secret: the
session key only as a salted hash, no query strings, no addresses, and a path that
holds a token (the password-reset link) is logged as its route pattern instead.
"""

import logging
from urllib.parse import urlsplit, urlunsplit

from django.utils.crypto import salted_hmac

from . import context

SESSION_SALT = "electropluz.observability.session"
SECRET_KWARGS = ("token", "uidb64", "key")


class ContextFilter(logging.Filter):
    """Adds ``request_id``, ``task_id`` and ``user_id`` (when known) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = context.request_id_var.get()
        task_id = context.task_id_var.get()
        if task_id and not hasattr(record, "task_id"):
            record.task_id = task_id
        user_id = context.user_id_var.get()
        if user_id is not None and not hasattr(record, "user_id"):
            record.user_id = user_id
        return True


def session_hash(session_key: str | None) -> str | None:
    """A stable pseudonym for a session: the same visit joins up, the key never leaves."""
    if not session_key:
        return None
    return salted_hmac(SESSION_SALT, session_key, algorithm="sha256").hexdigest()[:32]


def referrer_clean(referrer: str) -> str:
    """The referring page without its query string or fragment (they may carry personal data)."""
    if not referrer:
        return ""
    try:
        parts = urlsplit(referrer)
    except ValueError:
        return ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))[:500]


def path_loggable(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and any(
        secret in name for name in match.kwargs for secret in SECRET_KWARGS
    ):
        return "/" + match.route
    return request.path[:500]
