"""Checkout, orders, payments and the sales ledger.

``order_place`` is the purchase, in three steps:

1. one database transaction: re-price the cart, write the order and its lines
   (a snapshot of what is sold), take the stock (``inventory.stock_reserve``),
   redeem the coupon (``coupons.coupon_redeem``), record the payment and the
   ``OrderPlaced`` event. Out of stock or a used-up coupon rolls all of it back.
2. the card is charged after that commit, outside any lock;
3. a second transaction records the capture and the ledger entry, or runs the
   compensation (order cancelled, stock and coupon use returned, the cart kept).

Every status change goes through ``order_transition`` with the order row locked,
so a change (and its stock return) happens once however often it is asked for.
"""

import dataclasses
import hashlib
import json
import logging
import uuid
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import services as accounts_services
from apps.cart import selectors as cart_selectors
from apps.cart import services as cart_services
from apps.core.errors import ApplicationError, ConflictError, InvalidInputError, NotFoundError
from apps.core.money import ZERO, money
from apps.core.services import event_publish
from apps.coupons import services as coupons_services
from apps.inventory import services as inventory_services

from . import events, payments, selectors
from .models import IdempotencyKey, LedgerEntry, Order, OrderEvent, OrderLine, Payment, Refund

Status = Order.Status
logger = logging.getLogger(__name__)

# --- Errors --------------------------------------------------------------------


class CheckoutError(InvalidInputError):
    code = "checkout_invalid"


class CartChangedError(ConflictError):
    code = "cart_changed"


class PaymentError(ApplicationError):
    code = "payment_declined"
    status = 402


class IllegalTransitionError(ConflictError):
    code = "illegal_transition"


class IdempotencyConflictError(ConflictError):
    code = "idempotency_in_progress"


class IdempotencyMismatchError(InvalidInputError):
    code = "idempotency_key_reused"


# --- Carriers ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ShippingAddress:
    full_name: str
    line1: str
    postal_code: str
    city: str
    line2: str = ""
    province: str = ""
    country: str = "ES"
    phone: str = ""

    @classmethod
    def from_fields(cls, source) -> "ShippingAddress":
        """From anything with the same field names: an address-book entry, a form's data."""
        get = source.get if isinstance(source, dict) else lambda name: getattr(source, name)
        return cls(**{field.name: get(field.name) for field in dataclasses.fields(cls)})


@dataclasses.dataclass(frozen=True)
class CardInput:
    """Card data as typed. It is tokenised at once and never stored or logged."""

    number: str
    exp_month: int
    exp_year: int
    cvc: str

    def __repr__(self) -> str:  # never in a log or a traceback
        return "CardInput(<hidden>)"


@dataclasses.dataclass(frozen=True)
class PlacedOrder:
    order_id: int
    number: str
    status: str
    total: Decimal
    payment_method: str


# --- Transitions -----------------------------------------------------------------

TRANSITIONS: dict[str, set[str]] = {
    Status.PENDING_PAYMENT: {Status.PAID, Status.PREPARING, Status.CANCELLED},
    Status.PAID: {Status.PREPARING, Status.CANCELLED, Status.REFUNDED},
    Status.PREPARING: {Status.SHIPPED, Status.CANCELLED},
    Status.SHIPPED: {Status.DELIVERED},
    Status.DELIVERED: {Status.REFUNDED},
    Status.CANCELLED: set(),
    Status.REFUNDED: set(),
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


# --- Checkout ---------------------------------------------------------------------


def _clean_address(address: ShippingAddress) -> ShippingAddress:
    fields = {
        f.name: str(getattr(address, f.name) or "").strip() for f in dataclasses.fields(address)
    }
    missing = [name for name in ("full_name", "line1", "postal_code", "city") if not fields[name]]
    if missing:
        raise CheckoutError(
            _("Complete la dirección de envío."), details=dict.fromkeys(missing, "required")
        )
    fields["country"] = (fields["country"] or "ES").upper()[:2]
    return ShippingAddress(**fields)


def _record(
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


@transaction.atomic
def _order_create(
    *,
    cart_id: int,
    customer_id: int,
    email: str,
    address: ShippingAddress,
    shipping_method: str,
    payment_method: str,
    card: payments.CardToken | None,
) -> PlacedOrder:
    priced = cart_selectors.cart_price(
        cart_id=cart_id,
        customer_id=customer_id,
        has_previous_orders=selectors.customer_has_orders(customer_id=customer_id),
        shipping_method=shipping_method,
    )
    if not priced.lines:
        raise CheckoutError(_("Su carrito está vacío."), code="cart_empty")
    if priced.has_issues:
        changed = [line for line in priced.lines if line.issues]
        stock_only = all(set(line.issues) <= STOCK_ISSUES for line in changed)
        raise CartChangedError(
            _("No quedan existencias suficientes de: %(names)s.")
            % {"names": ", ".join(line.name for line in changed)}
            if stock_only
            else _("Su carrito ha cambiado: revíselo antes de pagar."),
            code="out_of_stock" if stock_only else "cart_changed",
            details=[{"sku": line.sku, "issues": list(line.issues)} for line in changed],
        )
    if priced.coupon_code and priced.coupon_error:
        # Never charge the full price silently when the customer counted on a discount.
        raise CheckoutError(priced.coupon_error, code="coupon_invalid")

    order = Order.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:28]}",  # replaced below, once the id is known
        customer_id=customer_id,
        email=email,
        payment_method=payment_method,
        shipping_method=shipping_method,
        ship_name=address.full_name,
        ship_line1=address.line1,
        ship_line2=address.line2,
        ship_postal_code=address.postal_code,
        ship_city=address.city,
        ship_province=address.province,
        ship_country=address.country,
        ship_phone=address.phone,
        subtotal=priced.subtotal,
        discount=priced.discount,
        shipping=priced.shipping,
        tax=priced.tax,
        total=priced.total,
        coupon_code=priced.coupon_code if priced.discount or priced.free_shipping_coupon else "",
    )
    # A readable number from the row's id: unique, and no counter row for checkouts to queue on.
    order.number = f"EP-{order.created_at.year}-{order.pk:06d}"
    order.save(update_fields=["number"])
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            variant_id=line.variant_id,
            product_id=line.product_id,
            sku=line.sku,
            name=line.name,
            option_label=line.option_label,
            unit_price=line.unit_price,
            quantity=line.quantity,
            line_total=line.line_total,
            discount=line.discount,
        )
        for line in priced.lines
    )
    inventory_services.stock_reserve(
        lines=[
            inventory_services.StockLine(line.variant_id, line.quantity) for line in priced.lines
        ],
        reference=order.number,
        user_id=customer_id,
    )
    if order.coupon_code:
        coupons_services.coupon_redeem(
            code=order.coupon_code,
            customer_id=customer_id,
            order_reference=order.number,
            discount=order.discount,
            order_total=order.total,
        )
    Payment.objects.create(
        order=order,
        method=payment_method,
        amount=order.total,
        provider=payments.provider().name if card else "",
        card_token=card.token if card else "",
        card_brand=card.brand if card else "",
        card_last4=card.last4 if card else "",
    )
    OrderEvent.objects.create(order=order, to_status=order.status, by_id=customer_id)
    event_publish(
        events.OrderPlaced(
            order_id=order.pk,
            number=order.number,
            customer_id=customer_id,
            total=str(order.total),
            payment_method=payment_method,
            coupon_code=order.coupon_code,
            lines=[
                {
                    "variant_id": line.variant_id,
                    "product_id": line.product_id,
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price),
                }
                for line in priced.lines
            ],
        )
    )
    if card is None:  # transfer and cash on delivery: the order is placed, the cart is done
        cart_services.cart_clear(cart_id=cart_id)
    return PlacedOrder(order.pk, order.number, order.status, order.total, payment_method)


def order_place(
    *,
    cart_id: int,
    customer_id: int,
    email: str,
    shipping_address: ShippingAddress,
    payment_method: str,
    shipping_method: str = Order.ShippingMethod.STANDARD,
    card: CardInput | None = None,
    ip: str | None = None,
    user_agent: str = "",
) -> PlacedOrder:
    """Place an order from a cart and take the payment. See the module's docstring."""
    if payment_method not in Order.PaymentMethod.values:
        raise CheckoutError(_("Elija una forma de pago."), details={"payment_method": "invalid"})
    if shipping_method not in Order.ShippingMethod.values:
        raise CheckoutError(_("Elija una forma de envío."), details={"shipping_method": "invalid"})
    address = _clean_address(shipping_address)
    token = None
    if payment_method == Order.PaymentMethod.CARD:
        if card is None:
            raise CheckoutError(
                _("Introduzca los datos de la tarjeta."), details={"card": "required"}
            )
        try:
            token = payments.provider().tokenize(
                number=card.number, exp_month=card.exp_month, exp_year=card.exp_year, cvc=card.cvc
            )
        except payments.CardInvalid as error:
            raise CheckoutError(
                str(error), code="card_invalid", details={"card": "invalid"}
            ) from None

    placed = _order_create(
        cart_id=cart_id,
        customer_id=customer_id,
        email=email,
        address=address,
        shipping_method=shipping_method,
        payment_method=payment_method,
        card=token,
    )
    accounts_services.activity_record(
        kind="checkout", user_id=customer_id, ip=ip, user_agent=user_agent, reference=placed.number
    )
    if token is None:
        return placed
    return _charge(placed, token=token.token, cart_id=cart_id, customer_id=customer_id)


def _charge(placed: PlacedOrder, *, token: str, cart_id: int, customer_id: int) -> PlacedOrder:
    """Charge the card, outside any transaction, then record what happened."""
    gateway = payments.provider()
    try:
        result = gateway.charge(token=token, amount=placed.total, reference=placed.number)
    except payments.GatewayTimeout:
        result = payments.ChargeResult(
            approved=False, code="timeout", message=str(payments.DECLINE_MESSAGES["timeout"])
        )
    if result.approved:
        _payment_captured(order_id=placed.order_id, reference=result.reference)
        cart_services.cart_clear(cart_id=cart_id)
        return dataclasses.replace(placed, status=Status.PAID)
    _payment_failed(order_id=placed.order_id, code=result.code, message=result.message)
    raise PaymentError(
        result.message,
        code="payment_timeout" if result.code == "timeout" else f"payment_{result.code}",
        details={"order": placed.number},
    )


@transaction.atomic
def _payment_captured(*, order_id: int, reference: str) -> None:
    order = Order.objects.select_for_update().get(pk=order_id)
    payment = order.payments.filter(status=Payment.Status.PENDING).order_by("-pk").first()
    now = timezone.now()
    Payment.objects.filter(pk=payment.pk).update(
        status=Payment.Status.CAPTURED, provider_reference=reference, captured_at=now
    )
    LedgerEntry.objects.create(
        order=order,
        payment=payment,
        kind=LedgerEntry.Kind.SALE,
        method=order.payment_method,
        amount=order.total,
        at=now,
    )
    from_status = order.status
    order.status, order.paid_at = Status.PAID, now
    order.save(update_fields=["status", "paid_at", "updated_at"])
    _record(
        order,
        from_status=from_status,
        to_status=Status.PAID,
        by=None,
        note=_("Pago con tarjeta aceptado"),
    )


@transaction.atomic
def _payment_failed(*, order_id: int, code: str, message: str) -> None:
    """The compensation: the order is cancelled, stock and coupon use come back; the cart stays."""
    order = Order.objects.select_for_update().get(pk=order_id)
    order.payments.filter(status=Payment.Status.PENDING).update(
        status=Payment.Status.FAILED if code == "timeout" else Payment.Status.DECLINED,
        failure_code=code[:40],
        failure_message=message[:255],
    )
    _cancel(order, by=None, note=_("Pago no completado: %(reason)s") % {"reason": message})


def _cancel(order: Order, *, by: int | None, note: str) -> None:
    """Cancel a locked order: stock back, coupon back, captured money refunded to the ledger."""
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
    captured = order.total - order.refunded - _refunds_in_flight(order) if order.paid_at else ZERO
    if captured > 0:
        _refund_request(order, amount=captured, note=note, by=by)
    order.payments.filter(status=Payment.Status.PENDING).update(status=Payment.Status.CANCELLED)
    from_status = order.status
    order.status = Status.CANCELLED
    order.save(update_fields=["status", "updated_at"])
    _record(order, from_status=from_status, to_status=Status.CANCELLED, by=by, note=note)


# --- Refunds: requested under the order's lock, paid out after the commit ---------------

REFUND_RETRY_AFTER = timedelta(minutes=2)
REFUND_LEASE = timedelta(minutes=5)


def _refunds_in_flight(order: Order) -> Decimal:
    """Money already promised back but not yet paid out."""
    pending = order.refunds.filter(
        status__in=(Refund.Status.PENDING, Refund.Status.PROCESSING)
    ).aggregate(total=Sum("amount"))["total"]
    return money(pending or ZERO)


def _refund_request(order: Order, *, amount: Decimal, note: str, by: int | None) -> int:
    """Record a refund to pay out once the current transaction commits."""
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
    if fully and order.status != Status.CANCELLED:
        order.status = Status.REFUNDED
    order.save(update_fields=["status", "refunded", "updated_at"])
    if order.status != from_status:
        _record(
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
            note=(_("Reembolsados %(amount)s €") % {"amount": refund.amount})[:255],
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


# --- After the sale ------------------------------------------------------------------


def _locked(order_number: str) -> Order:
    order = Order.objects.select_for_update().filter(number=order_number).first()
    if order is None:
        raise NotFoundError(_("Pedido no encontrado."))
    return order


@transaction.atomic
def order_transition(
    *, order_number: str, to_status: str, by_user_id: int | None, note: str = ""
) -> str:
    """Move an order to ``to_status`` if that is legal from where it is; returns the new status."""
    order = _locked(order_number)
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
        _cancel(order, by=by_user_id, note=note or _("Cancelado"))
        return order.status
    if to_status == Status.REFUNDED:
        outstanding = order.total - order.refunded - _refunds_in_flight(order)
        if outstanding <= 0:
            raise IllegalTransitionError(_("Este pedido ya tiene su reembolso en curso."))
        _refund(order, amount=outstanding, restock=[], by=by_user_id, note=note)
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
    _record(order, from_status=from_status, to_status=to_status, by=by_user_id, note=note)
    return order.status


def _money_received(order: Order, *, at) -> None:
    """A transfer arrived or cash was collected: the payment is captured and enters the ledger."""
    payment = order.payments.filter(status=Payment.Status.PENDING).order_by("-pk").first()
    if payment is None:
        payment = Payment.objects.create(
            order=order, method=order.payment_method, amount=order.total
        )
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.CAPTURED, captured_at=at)
    LedgerEntry.objects.create(
        order=order,
        payment=payment,
        kind=LedgerEntry.Kind.SALE,
        method=order.payment_method,
        amount=order.total,
        at=at,
    )
    order.paid_at = at


@transaction.atomic
def order_cancel(
    *, order_number: str, customer_id: int, ip: str | None = None, user_agent: str = ""
) -> None:
    """A customer cancels their own order (before it is prepared). Once, however often asked."""
    order = _locked(order_number)
    if order.customer_id != customer_id:
        raise NotFoundError(_("Pedido no encontrado."))
    if order.status not in CUSTOMER_CANCELLABLE:
        raise IllegalTransitionError(
            _("Este pedido ya no se puede cancelar (estado: %(status)s).")
            % {"status": Status(order.status).label}
        )
    _cancel(order, by=customer_id, note=_("Cancelado por el cliente"))
    accounts_services.activity_record(
        kind="order_cancel",
        user_id=customer_id,
        ip=ip,
        user_agent=user_agent,
        reference=order.number,
    )


@dataclasses.dataclass(frozen=True)
class RefundLine:
    line_id: int
    quantity: int


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
    order = _locked(order_number)
    if (
        order.status not in (Status.PAID, Status.PREPARING, Status.SHIPPED, Status.DELIVERED)
        or not order.paid_at
    ):
        raise IllegalTransitionError(_("Solo se reembolsan pedidos cobrados."))
    refundable = order.total - order.refunded - _refunds_in_flight(order)
    try:
        amount = refundable if amount in (None, "") else money(Decimal(str(amount)))
    except ArithmeticError:
        raise CheckoutError(_("Importe no válido."), details={"amount": "invalid"}) from None
    if amount <= 0 or amount > refundable:
        raise CheckoutError(
            _("El reembolso debe estar entre 0,01 y %(max)s €.") % {"max": refundable},
            details={"amount": "out_of_range"},
        )
    _refund(order, amount=amount, restock=restock or [], by=by_user_id, note=note)
    return amount


def _refund(
    order: Order, *, amount: Decimal, restock: list[RefundLine], by: int | None, note: str
) -> None:
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
    _refund_request(order, amount=amount, note=note or _("Reembolso"), by=by)
    OrderEvent.objects.create(
        order=order,
        from_status=order.status,
        to_status=order.status,
        by_id=by,
        note=(
            _("Reembolso de %(amount)s € solicitado%(restock)s")
            % {
                "amount": amount,
                "restock": _(", con devolución de existencias") if returned else "",
            }
        )[:255],
    )


def order_expire_unpaid(*, older_than: timedelta = UNPAID_CARD_ORDER_TTL) -> int:
    """Cancel card orders whose charge never completed (a worker died mid-checkout)."""
    cutoff = timezone.now() - older_than
    numbers = list(
        Order.objects.filter(
            status=Status.PENDING_PAYMENT,
            payment_method=Order.PaymentMethod.CARD,
            created_at__lt=cutoff,
        ).values_list("number", flat=True)
    )
    expired = 0
    for number in numbers:
        try:
            order_transition(
                order_number=number,
                to_status=Status.CANCELLED,
                by_user_id=None,
                note=_("Pago no completado a tiempo"),
            )
            expired += 1
        except IllegalTransitionError:
            continue  # paid or cancelled in the meantime
    return expired


# --- Idempotency ------------------------------------------------------------------------

IDEMPOTENCY_LEASE = timedelta(minutes=2)
IDEMPOTENCY_KEEP = timedelta(hours=24)


@dataclasses.dataclass(frozen=True)
class IdempotencyClaim:
    """Either ours to run (``replay`` False) or the first answer to send again."""

    replay: bool
    status: int | None = None
    body: dict | None = None


def request_fingerprint(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def idempotency_claim(*, scope: str, key: str, request_hash: str) -> IdempotencyClaim:
    """Claim ``key`` for this caller. Raises 409 while another request with it runs,
    422 when the key was used with a different request."""
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
    # Still running, unless its lease ran out (the process died): then it is ours to retry.
    taken = IdempotencyKey.objects.filter(
        pk=existing.pk, status=IdempotencyKey.Status.IN_PROGRESS, locked_until__lt=now
    ).update(locked_until=now + IDEMPOTENCY_LEASE)
    if taken:
        return IdempotencyClaim(replay=False)
    raise IdempotencyConflictError(_("Esta petición ya se está procesando; espere un momento."))


def idempotency_complete(
    *, scope: str, key: str, status: int, body: dict, order_id: int | None = None
) -> None:
    IdempotencyKey.objects.filter(scope=scope, key=key).update(
        status=IdempotencyKey.Status.COMPLETED,
        response_status=status,
        response_body=body,
        order_id=order_id,
    )


def idempotency_release(*, scope: str, key: str) -> None:
    """Forget an attempt that failed unexpectedly, so that a retry can run."""
    IdempotencyKey.objects.filter(
        scope=scope, key=key, status=IdempotencyKey.Status.IN_PROGRESS
    ).delete()


def idempotency_purge() -> int:
    deleted, _counts = IdempotencyKey.objects.filter(
        created_at__lt=timezone.now() - IDEMPOTENCY_KEEP
    ).delete()
    return deleted


def ledger_net_revenue(*, since=None, until=None) -> Decimal:
    entries = LedgerEntry.objects.all()
    if since:
        entries = entries.filter(at__gte=since)
    if until:
        entries = entries.filter(at__lt=until)
    return money(entries.aggregate(total=Sum("amount"))["total"] or ZERO)


@dataclasses.dataclass(frozen=True)
class CheckoutOutcome:
    """What a checkout answered: 201 and the order, or a 4xx and the error (same shape as the API)."""

    status: int
    body: dict
    replay: bool = False

    @property
    def number(self) -> str:
        return self.body.get("number", "")


def order_place_once(
    *, scope: str, key: str, request: dict, **order_place_kwargs
) -> CheckoutOutcome:
    """``order_place`` behind an idempotency key: the same key and request give the first answer
    again and create nothing; the same key with another request is refused (422); while the
    first still runs, 409. ``scope`` is the caller ("user:42"), so two callers never share a key."""
    claim = idempotency_claim(scope=scope, key=key, request_hash=request_fingerprint(request))
    if claim.replay:
        return CheckoutOutcome(status=claim.status, body=claim.body, replay=True)
    try:
        placed = order_place(**order_place_kwargs)
    except ApplicationError as error:
        outcome = CheckoutOutcome(status=error.status, body={"error": error.as_dict()})
        idempotency_complete(scope=scope, key=key, status=outcome.status, body=outcome.body)
        return outcome
    except BaseException:
        idempotency_release(scope=scope, key=key)  # unexpected: let a retry run it again
        raise
    body = {
        "number": placed.number,
        "status": placed.status,
        "total": str(placed.total),
        "payment_method": placed.payment_method,
    }
    idempotency_complete(scope=scope, key=key, status=201, body=body, order_id=placed.order_id)
    return CheckoutOutcome(status=201, body=body)


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
    )
