"""After the sale: status transitions, cancellation (stock, coupon and money go back) and
the anonymisation of an erased customer's orders."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import services as accounts_services
from apps.core.errors import NotFoundError
from apps.coupons import services as coupons_services
from apps.inventory import services as inventory_services

from .. import selectors
from ..errors import IllegalTransitionError
from ..models import Order, Payment
from .history import (
    CUSTOMER_CANCELLABLE,
    Status,
    allowed_transitions,
    order_locked,
    record_sale,
    record_status_change,
)
from .refunds import order_refund_locked, refund_request


def stock_and_coupon_release(order: Order, *, by: int | None) -> None:
    """Put back what a locked order took: the units not yet returned, and the coupon use."""
    inventory_services.stock_return(
        lines=[
            inventory_services.StockLine(line.variant_id, line.quantity - line.refunded_quantity)
            for line in order.lines.all()
            if line.quantity > line.refunded_quantity
        ],
        reference=order.number,
        kind="cancellation",
        user_id=by,
    )
    if order.coupon_code:
        coupons_services.coupon_release(order_reference=order.number)


def order_cancel_locked(order: Order, *, by: int | None, note: str) -> None:
    """Cancel a locked order: stock back, coupon back, captured money refunded."""
    stock_and_coupon_release(order, by=by)
    captured = selectors.order_refundable(order)
    if captured > 0:
        refund_request(order, amount=captured, note=note, by=by)
    order.payments.filter(status=Payment.Status.PENDING).update(status=Payment.Status.CANCELLED)
    from_status = order.status
    order.status = Status.CANCELLED
    order.save(update_fields=["status", "updated_at"])
    record_status_change(
        order, from_status=from_status, to_status=Status.CANCELLED, by=by, note=note
    )


@transaction.atomic
def order_transition(
    *, order_number: str, to_status: str, by_user_id: int | None, note: str = ""
) -> str:
    """Move an order to ``to_status`` if that is legal from where it is; returns the new status."""
    order = order_locked(order_number)
    legal = allowed_transitions(
        status=order.status, payment_method=order.payment_method, paid=order.paid_at is not None
    )
    if to_status not in legal:
        raise IllegalTransitionError(
            _("Un pedido «%(from)s» no puede pasar a «%(to)s».")
            % {
                "from": Status(order.status).label,
                "to": Status(to_status).label if to_status in Status.values else to_status,
            },
            details={"from": order.status, "to": to_status, "allowed": legal},
        )
    if to_status == Status.CANCELLED:
        order_cancel_locked(order, by=by_user_id, note=note or _("Cancelado"))
        return order.status
    if to_status == Status.REFUNDED:
        outstanding = selectors.order_refundable(order)
        if outstanding <= 0:
            raise IllegalTransitionError(_("Este pedido ya tiene su reembolso en curso."))
        order_refund_locked(order, amount=outstanding, restock=[], by=by_user_id, note=note)
        return order.status
    now = timezone.now()
    if to_status == Status.PAID or (
        to_status == Status.DELIVERED
        and order.payment_method == Order.PaymentMethod.CASH_ON_DELIVERY
    ):
        _money_received(order, at=now)
    from_status = order.status
    order.status = to_status
    order.save(update_fields=["status", "paid_at", "updated_at"])
    record_status_change(
        order, from_status=from_status, to_status=to_status, by=by_user_id, note=note
    )
    return order.status


def _money_received(order: Order, *, at) -> None:
    """A transfer arrived or cash was collected: the payment is captured and enters the ledger."""
    payment = order.payments.filter(status=Payment.Status.PENDING).order_by("-pk").first()
    if payment is None:
        payment = Payment.objects.create(
            order=order, method=order.payment_method, amount=order.total
        )
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.CAPTURED, captured_at=at)
    record_sale(order, payment, at=at)


@transaction.atomic
def order_cancel(
    *, order_number: str, customer_id: int, ip: str | None = None, user_agent: str = ""
) -> None:
    """A customer cancels their own order (before it is prepared). Once, however often asked."""
    order = order_locked(order_number)
    if order.customer_id != customer_id or order.status == Status.PAYMENT_FAILED:
        raise NotFoundError(_("Pedido no encontrado."))
    if order.status not in CUSTOMER_CANCELLABLE:
        raise IllegalTransitionError(
            _("Este pedido ya no se puede cancelar (estado: %(status)s).")
            % {"status": Status(order.status).label}
        )
    order_cancel_locked(order, by=customer_id, note=_("Cancelado por el cliente"))
    accounts_services.activity_record(
        kind="order_cancel",
        user_id=customer_id,
        ip=ip,
        user_agent=user_agent,
        reference=order.number,
    )


@transaction.atomic
def orders_anonymise(*, customer_id: int) -> int:
    """A customer asked to be forgotten: their orders keep the amounts and the lines (the
    ledger and the tax records need them) but lose the name, address, phone and e-mail."""
    return Order.objects.filter(customer_id=customer_id).update(
        email=f"borrado-{customer_id}@anonimo.invalid",
        ship_name=_("Cliente borrado"),
        ship_line1="—",
        ship_line2="",
        ship_postal_code="—",
        ship_city="—",
        ship_province="",
        ship_phone="",
        placed_ip=None,
        placed_user_agent="",
    )
