"""The order's history and its legal moves: every status change is recorded with who,
when and why, and published as ``OrderStatusChanged``."""

from datetime import timedelta

from django.utils.translation import gettext as _

from apps.core.errors import NotFoundError
from apps.core.services import event_publish

from .. import events
from ..models import LedgerEntry, Order, OrderEvent, Payment

Status = Order.Status

TRANSITIONS: dict[str, set[str]] = {
    Status.PENDING_PAYMENT: {Status.PAID, Status.PREPARING, Status.CANCELLED},
    Status.PAID: {Status.PREPARING, Status.CANCELLED, Status.REFUNDED},
    Status.PREPARING: {Status.SHIPPED, Status.CANCELLED},
    Status.SHIPPED: {Status.DELIVERED},
    Status.DELIVERED: {Status.REFUNDED},
    Status.CANCELLED: set(),
    Status.REFUNDED: set(),
    Status.PAYMENT_FAILED: set(),
}
STOCK_ISSUES = {"out_of_stock", "not_enough_stock"}
CUSTOMER_CANCELLABLE = {Status.PENDING_PAYMENT, Status.PAID}
UNPAID_CARD_ORDER_TTL = timedelta(minutes=30)


def allowed_transitions(*, status: str, payment_method: str, paid: bool) -> list[str]:
    """The statuses a manager may move an order to from ``status``."""
    allowed = set(TRANSITIONS.get(status, set()))
    if status == Status.PENDING_PAYMENT:
        # Only cash on delivery is prepared before it is paid; a card pays at checkout.
        if payment_method != Order.PaymentMethod.CASH_ON_DELIVERY:
            allowed.discard(Status.PREPARING)
        if payment_method != Order.PaymentMethod.TRANSFER:
            allowed.discard(Status.PAID)
    return sorted(allowed, key=list(TRANSITIONS).index)


def order_locked(order_number: str) -> Order:
    """The order's row, locked for the rest of the transaction."""
    order = Order.objects.select_for_update().filter(number=order_number).first()
    if order is None:
        raise NotFoundError(_("Pedido no encontrado."))
    return order


def record_sale(order: Order, payment: Payment, *, at) -> None:
    """Money came in for ``order``: the ledger's sale entry, and the order is paid."""
    LedgerEntry.objects.create(
        order=order,
        payment=payment,
        kind=LedgerEntry.Kind.SALE,
        method=order.payment_method,
        amount=payment.amount,
        at=at,
    )
    order.paid_at = at


def record_status_change(
    order: Order, *, from_status: str, to_status: str, by: int | None, note: str = ""
) -> None:
    OrderEvent.objects.create(
        order=order, from_status=from_status, to_status=to_status, by_id=by, note=note[:255]
    )
    event_publish(
        events.OrderStatusChanged(
            order_id=order.pk,
            number=order.number,
            customer_id=order.customer_id,
            from_status=from_status,
            to_status=to_status,
            note=note[:255],
        )
    )
