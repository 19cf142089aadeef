"""The purchase. ``order_place`` works in three steps:

1. one database transaction: re-price the cart, write the order and its lines
   (a snapshot of what is sold), take the stock (``inventory.stock_reserve``),
   redeem the coupon (``coupons.coupon_redeem``), record the payment, the
   idempotency key → order link and, for transfers and cash, ``OrderPlaced``.
   Out of stock or a used-up coupon rolls all of it back.
2. the card is charged after that commit, outside any lock, with the payment's
   own idempotency key;
3. a second transaction records the capture and the ledger entry (and then
   ``OrderPlaced``), or runs the compensation (stock and coupon use returned,
   the cart kept, the attempt kept for managers as a failed payment).

``order_place_once`` puts that behind the caller's ``Idempotency-Key``: a key
places at most one order, and a retry after a crash resumes that order.
"""

import dataclasses
import ipaddress
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts import selectors as accounts_selectors
from apps.accounts import services as accounts_services
from apps.cart import selectors as cart_selectors
from apps.cart import services as cart_services
from apps.core.errors import ApplicationError
from apps.core.services import event_publish
from apps.coupons import selectors as coupons_selectors
from apps.coupons import services as coupons_services
from apps.inventory import services as inventory_services

from .. import payments, selectors
from ..errors import CartChangedError, CheckoutError, IdempotencyConflictError
from ..models import Order, OrderEvent, OrderLine, Payment
from .history import STOCK_ISSUES, Status
from .idempotency import (
    IdempotencyRef,
    idempotency_claim,
    idempotency_complete,
    idempotency_link,
    idempotency_release,
    request_fingerprint,
)
from .payment import order_card_charge, order_placed_event

# The shipping address is accounts' one address shape.
ShippingAddress = accounts_selectors.AddressInput


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


def _priced_for_checkout(
    *, cart_id: int, customer_id: int, shipping_method: str, expected_signature: str | None
):
    priced = cart_selectors.cart_price(
        cart_id=cart_id,
        customer_id=customer_id,
        has_previous_orders=selectors.customer_has_orders(customer_id=customer_id),
        shipping_method=shipping_method,
    )
    if not priced.lines:
        raise CheckoutError(_("Su carrito está vacío."), code="cart_empty")
    if expected_signature and expected_signature != priced.signature:
        raise CartChangedError(
            _(
                "Su carrito o el envío han cambiado: revise el resumen y vuelva a "
                "confirmar el pedido."
            ),
            details={"cart_signature": priced.signature},
        )
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
        # Never charge the full price silently when the customer counted on a discount;
        # the coupon's own refusal (one code, one status wherever it is caught).
        raise coupons_services.CouponNotApplicableError(
            priced.coupon_error, code=priced.coupon_error_code or "coupon_not_applicable"
        )
    return priced


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
    idempotency: IdempotencyRef | None = None,
    expected_signature: str | None = None,
    save_address: bool = False,
    ip: str | None = None,
    user_agent: str = "",
) -> PlacedOrder:
    priced = _priced_for_checkout(
        cart_id=cart_id,
        customer_id=customer_id,
        shipping_method=shipping_method,
        expected_signature=expected_signature,
    )
    order = Order.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:28]}",  # replaced below, once the id is known
        customer_id=customer_id,
        email=email,
        payment_method=payment_method,
        shipping_method=shipping_method,
        **{f"ship_{name}": value for name, value in _ship_fields(address).items()},
        subtotal=priced.subtotal,
        discount=priced.discount,
        shipping=priced.shipping,
        tax=priced.tax,
        total=priced.total,
        coupon_code=priced.coupon_code if priced.discount or priced.free_shipping_coupon else "",
        placed_ip=_valid_ip(ip),
        placed_user_agent=(user_agent or "")[:255],
    )
    # A readable number from the row's id: unique, and no counter row for checkouts to queue on.
    order.number = f"EP-{order.created_at.year}-{order.pk:06d}"
    order.save(update_fields=["number"])
    if idempotency is not None:
        idempotency_link(idempotency, order_id=order.pk)
    _take_lines(order, priced.lines)
    if order.coupon_code:
        _coupon_redeem(order)
    _payment_create(order, card=card)
    OrderEvent.objects.create(order=order, to_status=order.status, by_id=customer_id)
    if save_address:  # to the customer's address book, with the order or not at all
        accounts_services.address_create(user_id=customer_id, **dataclasses.asdict(address))
    if card is None:  # transfer and cash on delivery: the order is placed, the cart is done
        event_publish(order_placed_event(order))
        cart_services.cart_clear(cart_id=cart_id)
    return _placed(order)


def _payment_create(order: Order, *, card: payments.CardToken | None) -> None:
    """The order's payment attempt: only the card's token, brand and last four digits."""
    Payment.objects.create(
        order=order,
        method=order.payment_method,
        amount=order.total,
        provider=payments.provider().name if card else "",
        card_token=card.token if card else "",
        card_brand=card.brand if card else "",
        card_last4=card.last4 if card else "",
    )


def _take_lines(order: Order, lines) -> None:
    """Snapshot what is sold and take its stock (all or nothing, never below zero)."""
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
        for line in lines
    )
    inventory_services.stock_reserve(
        lines=[inventory_services.StockLine(line.variant_id, line.quantity) for line in lines],
        reference=order.number,
        user_id=order.customer_id,
    )


def _coupon_redeem(order: Order) -> None:
    redemption = coupons_services.coupon_redeem(
        code=order.coupon_code,
        customer_id=order.customer_id,
        order_reference=order.number,
        discount=order.discount,
        order_total=order.total,
    )
    # The coupon's row is locked now, so a concurrent first order of this customer with it
    # waits for us; whichever comes second sees the first's order here and is refused.
    if redemption.first_order_only and selectors.customer_has_orders(
        customer_id=order.customer_id, excluding_order_id=order.pk
    ):
        raise coupons_selectors.first_order_only_error(order.coupon_code)


def _valid_ip(ip: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((ip or "").strip()))
    except ValueError:
        return None


def _ship_fields(address: ShippingAddress) -> dict:
    fields = dataclasses.asdict(address)
    fields["name"] = fields.pop("full_name")
    return fields


def _placed(order: Order) -> PlacedOrder:
    return PlacedOrder(order.pk, order.number, order.status, order.total, order.payment_method)


def _tokenize(card: CardInput | None) -> payments.CardToken:
    if card is None:
        raise CheckoutError(_("Introduzca los datos de la tarjeta."), details={"card": "required"})
    try:
        return payments.provider().tokenize(
            number=card.number, exp_month=card.exp_month, exp_year=card.exp_year, cvc=card.cvc
        )
    except payments.CardInvalid as error:
        raise CheckoutError(str(error), code="card_invalid", details={"card": "invalid"}) from None


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
    idempotency: IdempotencyRef | None = None,
    expected_signature: str | None = None,
    save_address: bool = False,
) -> PlacedOrder:
    """Place an order from a cart and take the payment. See the module's docstring.
    ``expected_signature`` is the cart's ``signature`` as the customer saw it: if the cart,
    its prices or the shipping changed since, nothing is placed (409 ``cart_changed``).
    ``save_address`` adds the shipping address to the customer's address book, in the
    order's transaction."""
    if payment_method not in Order.PaymentMethod.values:
        raise CheckoutError(_("Elija una forma de pago."), details={"payment_method": "invalid"})
    if shipping_method not in Order.ShippingMethod.values:
        raise CheckoutError(_("Elija una forma de envío."), details={"shipping_method": "invalid"})
    address = _clean_address(shipping_address)
    token = _tokenize(card) if payment_method == Order.PaymentMethod.CARD else None
    placed = _order_create(
        cart_id=cart_id,
        customer_id=customer_id,
        email=email,
        address=address,
        shipping_method=shipping_method,
        payment_method=payment_method,
        card=token,
        idempotency=idempotency,
        expected_signature=expected_signature,
        save_address=save_address,
        ip=ip,
        user_agent=user_agent,
    )
    if token is None:
        return placed
    return order_checkout_resume(order_id=placed.order_id, cart_id=cart_id)


def order_checkout_resume(*, order_id: int, cart_id: int | None) -> PlacedOrder:
    """Finish the checkout of a placed order from where it stopped: charge a card that was
    not charged yet (at most once, by the payment's key), clear the cart once it is paid,
    and answer from the order as it is now. Raises ``PaymentError`` for a refused card."""
    order = Order.objects.get(pk=order_id)
    if order.payment_method == Order.PaymentMethod.CARD:
        status = order_card_charge(order_id=order_id)
        if status != Status.PENDING_PAYMENT and cart_id is not None:
            cart_services.cart_clear(cart_id=cart_id)
        order.status = status
    return _placed(order)


@dataclasses.dataclass(frozen=True)
class CheckoutOutcome:
    """What a checkout answered: 201 and the order, or a 4xx and the error (same shape as the API)."""

    status: int
    body: dict
    replay: bool = False

    @classmethod
    def from_error(cls, error: ApplicationError) -> "CheckoutOutcome":
        return cls(status=error.status, body={"error": error.as_dict()})

    @property
    def number(self) -> str:
        return self.body.get("number", "")

    @property
    def error_code(self) -> str:
        return self.body.get("error", {}).get("code", "")

    @property
    def error_message(self) -> str:
        return self.body.get("error", {}).get("message", "")


def order_place_once(
    *, scope: str, key: str, request: dict, **order_place_kwargs
) -> CheckoutOutcome:
    """``order_place`` behind an idempotency key. The same key and request never place a
    second order: they get the first answer again, or — when the first run stopped after
    its order was saved (a crash, a lost connection) — the order as it is now, its payment
    finished first. The same key with another request is refused (422); while the first
    run is still creating its order, 409. ``scope`` is the caller ("user:42"). Every
    business error comes back as an outcome in the API's error shape, never raised."""
    try:
        claim = idempotency_claim(scope=scope, key=key, request_hash=request_fingerprint(request))
    except ApplicationError as error:
        return CheckoutOutcome.from_error(error)
    if claim.replay:
        return CheckoutOutcome(status=claim.status, body=claim.body, replay=True)
    try:
        if claim.order_id is not None:
            placed = order_checkout_resume(
                order_id=claim.order_id, cart_id=order_place_kwargs.get("cart_id")
            )
        else:
            placed = order_place(
                **order_place_kwargs, idempotency=IdempotencyRef(scope=scope, key=key)
            )
    except IdempotencyConflictError as error:
        return CheckoutOutcome.from_error(error)  # another run placed the order: retry later
    except ApplicationError as error:
        outcome = CheckoutOutcome.from_error(error)
        if error.code != "payment_unconfirmed":  # unknown yet: a retry asks the gateway again
            idempotency_complete(scope=scope, key=key, status=outcome.status, body=outcome.body)
        return outcome
    except BaseException:
        idempotency_release(scope=scope, key=key)  # unexpected: a retry runs or resumes it
        raise
    body = {
        "number": placed.number,
        "status": placed.status,
        "total": str(placed.total),
        "payment_method": placed.payment_method,
    }
    idempotency_complete(scope=scope, key=key, status=201, body=body, order_id=placed.order_id)
    return CheckoutOutcome(status=201, body=body)
