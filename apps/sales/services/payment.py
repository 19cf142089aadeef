"""Card payments of placed orders: the charge, what it did, and the reconciliation of the
orders whose charge never finished.

The gateway is always asked with the payment attempt's own idempotency key
(``Payment.charge_key``), so a resumed, retried or concurrent charge takes the money at
most once; the outcome is recorded under the order's lock, once. A capture that arrives
for an order that can no longer be fulfilled (cancelled, expired, refused) is recorded
and refunded, never lost."""

import dataclasses
import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.services import event_publish

from .. import events, payments
from ..errors import PaymentError
from ..models import Order, OrderEvent, Payment
from .history import UNPAID_CARD_ORDER_TTL, Status, record_sale, record_status_change
from .lifecycle import order_cancel_locked, stock_and_coupon_release
from .refunds import refund_request

logger = logging.getLogger(__name__)

UNCONFIRMED_MESSAGE = gettext_lazy(
    "La pasarela de pago no ha confirmado el cargo. Si llegó a hacerse, se le devolverá "
    "automáticamente; puede intentarlo de nuevo."
)


@dataclasses.dataclass(frozen=True)
class ChargeOutcome:
    """What the gateway says of one payment attempt; ``result`` None: it does not know."""

    payment_id: int
    result: payments.ChargeResult | None


def payment_error(*, code: str, message: str) -> PaymentError:
    """The customer's error for a refused card, with a stable code per reason."""
    return PaymentError(message, code="payment_timeout" if code == "timeout" else f"payment_{code}")


def order_card_charge(*, order_id: int) -> str:
    """Charge the order's pending card payment and record the outcome; returns the order's
    status. Safe to call again, and from two processes at once. Raises ``PaymentError``
    when the card was refused or the gateway could not say what happened."""
    payment = (
        Payment.objects.filter(order_id=order_id).select_related("order").order_by("-pk").first()
    )
    if payment is not None and payment.status == Payment.Status.PENDING and payment.card_token:
        outcome = _charge(payment)
        if outcome.result is None:
            raise PaymentError(UNCONFIRMED_MESSAGE, code="payment_unconfirmed")
        payment_record(order_id=order_id, outcome=outcome)
    order = Order.objects.get(pk=order_id)
    if order.status == Status.PAYMENT_FAILED:
        failed = order.payments.order_by("-pk").first()
        raise payment_error(code=failed.failure_code, message=failed.failure_message)
    return order.status


def _charge(payment: Payment) -> ChargeOutcome:
    """Ask the gateway to charge (outside any transaction); on a time-out, ask it by key
    what became of the charge. ``result`` is None only when it cannot tell."""
    gateway = payments.provider()
    try:
        result = gateway.charge(
            token=payment.card_token,
            amount=payment.amount,
            reference=payment.order.number,
            idempotency_key=payment.charge_key,
        )
    except payments.GatewayTimeout:
        try:
            result = _status(payment)
        except LookupError:  # the gateway could not be asked either: nobody knows yet
            return ChargeOutcome(payment.pk, None)
        if result is None:  # the gateway says it made no charge: a failed attempt
            result = payments.ChargeResult(
                approved=False, code="timeout", message=str(payments.DECLINE_MESSAGES["timeout"])
            )
    return ChargeOutcome(payment.pk, result)


def _status(payment: Payment) -> payments.ChargeResult | None:
    try:
        return payments.provider().charge_status(idempotency_key=payment.charge_key)
    except Exception:  # unreachable: the outcome stays unknown, the beat task asks again
        logger.warning("charge status of payment %s unknown", payment.pk, exc_info=True)
        raise LookupError(payment.charge_key) from None


def payment_record(*, order_id: int, outcome: ChargeOutcome, fulfil: bool = True) -> None:
    """Record what the gateway did with one payment attempt, once."""
    if outcome.result.approved:
        _payment_captured(
            order_id=order_id,
            payment_id=outcome.payment_id,
            reference=outcome.result.reference,
            fulfil=fulfil,
        )
    else:
        _payment_failed(
            order_id=order_id,
            payment_id=outcome.payment_id,
            code=outcome.result.code,
            message=outcome.result.message,
        )


@transaction.atomic
def _payment_captured(*, order_id: int, payment_id: int, reference: str, fulfil: bool) -> None:
    order = Order.objects.select_for_update().get(pk=order_id)
    now = timezone.now()
    captured = Payment.objects.filter(pk=payment_id).exclude(
        status__in=(Payment.Status.CAPTURED, Payment.Status.REFUNDED)
    )
    if not captured.update(
        status=Payment.Status.CAPTURED, provider_reference=reference, captured_at=now
    ):
        return  # recorded already
    payment = Payment.objects.get(pk=payment_id)
    record_sale(order, payment, at=now)
    if fulfil and order.status == Status.PENDING_PAYMENT:
        order.status = Status.PAID
        order.save(update_fields=["status", "paid_at", "updated_at"])
        OrderEvent.objects.create(
            order=order,
            from_status=Status.PENDING_PAYMENT,
            to_status=Status.PAID,
            note=_("Pago con tarjeta aceptado"),
        )
        event_publish(order_placed_event(order))
        return
    _capture_refund(order, amount=payment.amount)


def _capture_refund(order: Order, *, amount) -> None:
    """Money arrived for an order that will not be fulfilled: give it back, and say so."""
    note = _("Cobro recibido para un pedido que no se servirá: se devuelve")
    if order.status == Status.PENDING_PAYMENT:
        stock_and_coupon_release(order, by=None)
        order.status = Status.CANCELLED
        order.save(update_fields=["status", "paid_at", "updated_at"])
        record_status_change(
            order,
            from_status=Status.PENDING_PAYMENT,
            to_status=Status.CANCELLED,
            by=None,
            note=note,
        )
    else:
        order.save(update_fields=["paid_at", "updated_at"])
        OrderEvent.objects.create(
            order=order, from_status=order.status, to_status=order.status, note=note
        )
    refund_request(order, amount=amount, note=note, by=None)


@transaction.atomic
def _payment_failed(*, order_id: int, payment_id: int, code: str, message: str) -> None:
    """The compensation for a refused card: stock and coupon use come back, the cart stays,
    and the attempt is kept for managers as a failed payment, not a cancelled order (the
    customer gets no e-mail and does not see it in their history)."""
    order = Order.objects.select_for_update().get(pk=order_id)
    failed = Payment.objects.filter(pk=payment_id, status=Payment.Status.PENDING).update(
        status=Payment.Status.FAILED if code == "timeout" else Payment.Status.DECLINED,
        failure_code=code[:40],
        failure_message=message[:255],
    )
    if not failed or order.status != Status.PENDING_PAYMENT:
        return
    stock_and_coupon_release(order, by=None)
    order.status = Status.PAYMENT_FAILED
    order.save(update_fields=["status", "updated_at"])
    OrderEvent.objects.create(
        order=order,
        from_status=Status.PENDING_PAYMENT,
        to_status=Status.PAYMENT_FAILED,
        note=(_("Pago no completado: %(reason)s") % {"reason": message})[:255],
    )


def order_placed_event(order: Order) -> events.OrderPlaced:
    return events.OrderPlaced(
        order_id=order.pk,
        number=order.number,
        customer_id=order.customer_id,
        total=str(order.total),
        payment_method=order.payment_method,
        coupon_code=order.coupon_code,
        lines=[
            {
                "variant_id": line.variant_id,
                "product_id": line.product_id,
                "sku": line.sku,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
            }
            for line in order.lines.all()
        ],
        ip=order.placed_ip,
        user_agent=order.placed_user_agent,
    )


def order_expire_unpaid(*, older_than: timedelta = UNPAID_CARD_ORDER_TTL) -> int:
    """Settle card orders whose charge never finished (a process died mid-checkout). The
    gateway is asked for each one's charge by its key first: a capture that happened is
    recorded and refunded (the order is past its time), a refusal is recorded, and an
    order with no charge is cancelled. Returns how many were settled."""
    cutoff = timezone.now() - older_than
    stale = Order.objects.filter(
        status=Status.PENDING_PAYMENT,
        payment_method=Order.PaymentMethod.CARD,
        created_at__lt=cutoff,
    ).values_list("pk", flat=True)
    return sum(_expire(order_id) for order_id in list(stale))


def _expire(order_id: int) -> bool:
    payment = Payment.objects.filter(order_id=order_id).order_by("-pk").first()
    if payment is not None and payment.status == Payment.Status.PENDING:
        try:
            result = _status(payment)
        except LookupError:
            return False  # the gateway cannot say now: ask again on the next run
        if result is not None:
            payment_record(
                order_id=order_id, outcome=ChargeOutcome(payment.pk, result), fulfil=False
            )
            return True
    return _cancel_unpaid(order_id)


@transaction.atomic
def _cancel_unpaid(order_id: int) -> bool:
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status != Status.PENDING_PAYMENT:
        return False  # paid or cancelled in the meantime
    order_cancel_locked(order, by=None, note=_("Pago no completado a tiempo"))
    return True
