"""Idempotency keys: a checkout request's key, scoped to its caller, maps to at most one
order, forever. The key → order link is written in the order's own transaction."""

import dataclasses
import hashlib
import json
import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import InvalidInputError

from ..errors import IdempotencyConflictError, IdempotencyMismatchError
from ..models import IdempotencyKey

logger = logging.getLogger(__name__)

# Only the creation of the order runs under the lease (a few database statements); what
# follows it (the charge) is resumable by any retry, so a dead process blocks nobody long.
IDEMPOTENCY_LEASE = timedelta(seconds=30)
IDEMPOTENCY_KEEP = timedelta(hours=24)


@dataclasses.dataclass(frozen=True)
class IdempotencyRef:
    scope: str
    key: str


@dataclasses.dataclass(frozen=True)
class IdempotencyClaim:
    """Ours to run (``replay`` False), the first answer to send again, or — ``order_id`` set —
    an order this key already placed, whose answer is to be taken from the order."""

    replay: bool
    status: int | None = None
    body: dict | None = None
    order_id: int | None = None


def request_fingerprint(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def idempotency_claim(*, scope: str, key: str, request_hash: str) -> IdempotencyClaim:
    """Claim ``key`` for this caller. Raises 409 while another request with it is creating
    its order, 422 when the key was used with a different request."""
    key = (key or "").strip()
    if not key or len(key) > 100:
        raise InvalidInputError(
            _("La clave de idempotencia no es válida."), code="idempotency_key_invalid"
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(
                scope=scope,
                key=key,
                request_hash=request_hash,
                locked_until=now + IDEMPOTENCY_LEASE,
            )
            return IdempotencyClaim(replay=False)
    except IntegrityError:
        pass
    existing = IdempotencyKey.objects.get(scope=scope, key=key)
    if existing.request_hash != request_hash:
        raise IdempotencyMismatchError(_("Esta clave de idempotencia ya se usó con otra petición."))
    if existing.status == IdempotencyKey.Status.COMPLETED:
        return IdempotencyClaim(
            replay=True, status=existing.response_status, body=existing.response_body
        )
    if existing.order_id is not None:
        return IdempotencyClaim(replay=False, order_id=existing.order_id)
    # Still creating its order, unless its lease ran out (the process died): then it is ours.
    taken = IdempotencyKey.objects.filter(
        pk=existing.pk,
        status=IdempotencyKey.Status.IN_PROGRESS,
        order__isnull=True,
        locked_until__lt=now,
    ).update(locked_until=now + IDEMPOTENCY_LEASE)
    if taken:
        return IdempotencyClaim(replay=False)
    raise IdempotencyConflictError(_("Esta petición ya se está procesando; espere un momento."))


def idempotency_link(ref: IdempotencyRef, *, order_id: int) -> None:
    """Tie the key to the order, inside the order's transaction. If another run of the same
    key got there first, this one's order is rolled back with the 409 raised here."""
    linked = IdempotencyKey.objects.filter(scope=ref.scope, key=ref.key, order__isnull=True).update(
        order_id=order_id
    )
    if not linked:
        raise IdempotencyConflictError(_("Esta petición ya se está procesando; espere un momento."))


def idempotency_complete(
    *, scope: str, key: str, status: int, body: dict, order_id: int | None = None
) -> None:
    fields = {
        "status": IdempotencyKey.Status.COMPLETED,
        "response_status": status,
        "response_body": body,
    }
    if order_id is not None:
        fields["order_id"] = order_id
    IdempotencyKey.objects.filter(scope=scope, key=key).update(**fields)


def idempotency_release(*, scope: str, key: str) -> None:
    """Forget an attempt that failed unexpectedly before it placed an order, so that a retry
    can run it. A key with an order is never forgotten: its retry resumes that order."""
    try:
        IdempotencyKey.objects.filter(
            scope=scope, key=key, status=IdempotencyKey.Status.IN_PROGRESS, order__isnull=True
        ).delete()
    except Exception:  # the database itself failed: the lease runs out instead
        logger.warning("idempotency key %s of %s not released", key, scope, exc_info=True)


def idempotency_purge() -> int:
    """Forget keys that placed no order after a day. A key that placed an order stays with
    it, so that key can never place a second one."""
    deleted, _counts = IdempotencyKey.objects.filter(
        created_at__lt=timezone.now() - IDEMPOTENCY_KEEP, order__isnull=True
    ).delete()
    return deleted
