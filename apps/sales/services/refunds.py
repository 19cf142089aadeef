"""Refunds: requested under the order's lock, paid out through the gateway after the commit,
with their own idempotency key, and retried by a beat task when their run never happened."""

import dataclasses
import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.money import money, money_format
from apps.core.services import event_publish
from apps.inventory import services as inventory_services

from .. import events, payments, selectors
from ..errors import CheckoutError, IllegalTransitionError
from ..models import LedgerEntry, Order, OrderEvent, OrderLine, Payment, Refund
from .history import Status, order_locked, record_status_change

logger = logging.getLogger(__name__)

REFUND_RETRY_AFTER = timedelta(minutes=2)
REFUND_LEASE = timedelta(minutes=5)


@dataclasses.dataclass(frozen=True)
class RefundLine:
    line_id: int
    quantity: int


def refund_request(order: Order, *, amount: Decimal, note: str, by: int | None) -> int:
    """Record a refund of a locked order, to pay out once the current transaction commits."""
    payment = order.payments.filter(status=Payment.Status.CAPTURED).order_by("-pk").first()
    refund = Refund.objects.create(
        order=order, payment=payment, amount=amount, note=note[:255], by_id=by
    )
    refund_id = refund.pk
    transaction.on_commit(lambda: refund_execute(refund_id=refund_id), robust=True)
    return refund_id


def refund_execute(*, refund_id: int) -> bool:
    """Pay out one refund: claim it, ask the gateway (outside any transaction), then record
    the money in the ledger. Safe to run twice: a refund is claimed once, and the gateway
    is asked with the refund's own idempotency key. Returns True when it is paid."""
    now = timezone.now()
    claimed = (
        Refund.objects.filter(pk=refund_id)
        .filter(
            Q(status=Refund.Status.PENDING)
            | Q(status=Refund.Status.PROCESSING, claimed_at__lt=now - REFUND_LEASE)
        )
        .update(status=Refund.Status.PROCESSING, claimed_at=now)
    )
    if not claimed:
        return False
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    reference = ""
    payment = refund.payment
    if (
        payment is not None
        and payment.method == Order.PaymentMethod.CARD
        and payment.provider_reference
    ):
        try:
            reference = payments.provider().refund(
                reference=payment.provider_reference,
                amount=refund.amount,
                idempotency_key=f"refund-{refund.pk}",
            )
        except Exception as exc:  # the gateway refused or failed: a manager retries it
            logger.exception("refund %s failed at the gateway", refund.pk)
            Refund.objects.filter(pk=refund.pk, status=Refund.Status.PROCESSING).update(
                status=Refund.Status.FAILED, failure_message=str(exc)[:255]
            )
            return False
    _refund_paid(refund_id=refund.pk, reference=reference)
    return True


@transaction.atomic
def _refund_paid(*, refund_id: int, reference: str) -> None:
    refund = Refund.objects.select_related("order").get(pk=refund_id)
    order = Order.objects.select_for_update().get(pk=refund.order_id)
    done = Refund.objects.filter(pk=refund_id, status=Refund.Status.PROCESSING).update(
        status=Refund.Status.SUCCEEDED, provider_reference=reference, completed_at=timezone.now()
    )
    if not done:
        return
    LedgerEntry.objects.create(
        order=order,
        payment=refund.payment,
        kind=LedgerEntry.Kind.REFUND,
        method=order.payment_method,
        amount=-refund.amount,
        note=refund.note or _("Reembolso"),
    )
    order.refunded = order.refunded + refund.amount
    fully = order.refunded >= order.total
    if fully and refund.payment_id:
        Payment.objects.filter(pk=refund.payment_id).update(status=Payment.Status.REFUNDED)
    from_status = order.status
    if fully and order.status not in (Status.CANCELLED, Status.PAYMENT_FAILED):
        order.status = Status.REFUNDED
    order.save(update_fields=["status", "refunded", "updated_at"])
    if order.status != from_status:
        record_status_change(
            order,
            from_status=from_status,
            to_status=order.status,
            by=refund.by_id,
            note=refund.note or _("Reembolso total"),
        )
    else:
        OrderEvent.objects.create(
            order=order,
            from_status=from_status,
            to_status=from_status,
            by_id=refund.by_id,
            note=(
                _("Reembolsados %(amount)s")
                % {"amount": money_format(refund.amount, language=settings.LANGUAGE_CODE)}
            )[:255],
        )
    event_publish(
        events.OrderRefunded(
            order_id=order.pk,
            number=order.number,
            customer_id=order.customer_id,
            amount=str(refund.amount),
            restocked=False,
        )
    )


def refund_retry(*, refund_id: int) -> bool:
    """A manager tries a failed refund again."""
    Refund.objects.filter(pk=refund_id, status=Refund.Status.FAILED).update(
        status=Refund.Status.PENDING, failure_message=""
    )
    return refund_execute(refund_id=refund_id)


def refund_retry_pending() -> int:
    """Pay out refunds whose after-commit run never happened (a process died). Returns how many."""
    stale = timezone.now() - REFUND_RETRY_AFTER
    ids = list(
        Refund.objects.filter(
            Q(status=Refund.Status.PENDING, created_at__lt=stale)
            | Q(status=Refund.Status.PROCESSING, claimed_at__lt=timezone.now() - REFUND_LEASE)
        ).values_list("pk", flat=True)
    )
    return sum(refund_execute(refund_id=refund_id) for refund_id in ids)


@transaction.atomic
def order_refund(
    *,
    order_number: str,
    amount: Decimal | str | None = None,
    restock: list[RefundLine] | None = None,
    by_user_id: int | None,
    note: str = "",
) -> Decimal:
    """Refund all or part of a paid order, restocking the given lines. Returns the amount refunded."""
    order = order_locked(order_number)
    refundable = selectors.order_refundable(order)
    if order.paid_at is None or order.status not in selectors.REFUNDABLE_STATUSES:
        raise IllegalTransitionError(_("Solo se reembolsan pedidos cobrados."))
    try:
        amount = refundable if amount in (None, "") else money(Decimal(str(amount)))
    except ArithmeticError:
        raise CheckoutError(_("Importe no válido."), details={"amount": "invalid"}) from None
    if amount <= 0 or amount > refundable:
        raise CheckoutError(
            _("El reembolso debe estar entre %(min)s y %(max)s.")
            % {"min": money_format(Decimal("0.01")), "max": money_format(refundable)},
            details={"amount": "out_of_range"},
        )
    order_refund_locked(order, amount=amount, restock=restock or [], by=by_user_id, note=note)
    return amount


def order_refund_locked(
    order: Order, *, amount: Decimal, restock: list[RefundLine], by: int | None, note: str
) -> None:
    """Refund ``amount`` of a locked order and put the given units back in stock."""
    lines = {line.pk: line for line in order.lines.all()}
    returned = []
    for item in restock:
        line = lines.get(item.line_id)
        if (
            line is None
            or item.quantity <= 0
            or item.quantity > line.quantity - line.refunded_quantity
        ):
            raise CheckoutError(
                _("Cantidad a devolver no válida."), details={"line_id": item.line_id}
            )
        OrderLine.objects.filter(pk=line.pk).update(
            refunded_quantity=F("refunded_quantity") + item.quantity
        )
        returned.append(inventory_services.StockLine(line.variant_id, item.quantity))
    if returned:
        inventory_services.stock_return(
            lines=returned, reference=order.number, kind="return", reason=note, user_id=by
        )
    refund_request(order, amount=amount, note=note or _("Reembolso"), by=by)
    OrderEvent.objects.create(
        order=order,
        from_status=order.status,
        to_status=order.status,
        by_id=by,
        note=(
            _("Reembolso de %(amount)s solicitado%(restock)s")
            % {
                "amount": money_format(amount, language=settings.LANGUAGE_CODE),
                "restock": _(", con devolución de existencias") if returned else "",
            }
        )[:255],
    )
