"""Checkout and orders API. ``POST /checkout`` honours an ``Idempotency-Key`` header."""

from datetime import date, datetime
from decimal import Decimal

from django.http import Http404
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.pagination import paginate

from apps.accounts import selectors as accounts_selectors
from apps.cart import selectors as cart_selectors
from apps.core.bounds import Id
from apps.core.http import client_ip, client_user_agent
from apps.core.openapi import errors
from apps.core.paging import ApiPageNumberPagination

from . import selectors, services
from .models import Order

customer_router = Router(tags=["orders"])  # the signed-in customer: session auth
manager_router = Router(tags=["orders"])  # managers: mounted with manager auth


class AddressIn(Schema):
    full_name: str = Field(..., min_length=1, max_length=150)
    line1: str = Field(..., min_length=1, max_length=200)
    line2: str = Field("", max_length=200)
    postal_code: str = Field(..., min_length=1, max_length=12)
    city: str = Field(..., min_length=1, max_length=100)
    province: str = Field("", max_length=100)
    country: str = Field("ES", min_length=2, max_length=2)
    phone: str = Field("", max_length=30)


class CardIn(Schema):
    number: str = Field(..., min_length=12, max_length=23)
    exp_month: int = Field(..., ge=1, le=12)
    exp_year: int = Field(..., ge=0, le=9999)
    cvc: str = Field(..., min_length=3, max_length=4)


class CheckoutIn(Schema):
    address_id: int | None = Field(None, description="an address from the customer's address book")
    shipping_address: AddressIn | None = None
    shipping_method: Order.ShippingMethod = Order.ShippingMethod.STANDARD
    payment_method: Order.PaymentMethod
    card: CardIn | None = None
    cart_signature: str | None = Field(
        None,
        max_length=64,
        description="the cart's signature from GET /cart: if the cart changed since, 409",
    )


class PlacedOut(Schema):
    number: str
    status: str
    total: Decimal
    payment_method: str


class LineOut(Schema):
    sku: str
    name: str
    option_label: str
    unit_price: Decimal
    quantity: int
    line_total: Decimal
    discount: Decimal
    refunded_quantity: int


class OrderOut(Schema):
    number: str
    status: str
    payment_method: str
    shipping_method: str
    created_at: datetime
    paid_at: datetime | None
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    refunded: Decimal
    coupon_code: str


class OrderDetailOut(OrderOut):
    email: str
    ship_name: str
    ship_line1: str
    ship_line2: str
    ship_postal_code: str
    ship_city: str
    ship_province: str
    ship_country: str
    lines: list[LineOut]
    allowed_transitions: list[str] = []

    @staticmethod
    def resolve_lines(order):
        return list(order.lines.all())


class ManagerOrderFilters(Schema):
    q: str = Field("", max_length=100)
    status: Order.Status | None = None
    payment_method: Order.PaymentMethod | None = None
    coupon: str = Field("", max_length=40)
    date_from: date | None = None
    date_to: date | None = None


class TransitionIn(Schema):
    to_status: Order.Status
    note: str = Field("", max_length=255)


class RestockIn(Schema):
    line_id: Id
    quantity: int = Field(..., ge=1, le=10_000)  # no order line holds more (the cart's limit)


class RefundIn(Schema):
    amount: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2)
    restock: list[RestockIn] = Field(default_factory=list, max_length=1_000)
    note: str = Field("", max_length=255)


def _address(request, payload: CheckoutIn) -> services.ShippingAddress:
    if payload.address_id is not None:
        saved = accounts_selectors.address_get(
            user_id=request.user.pk, address_id=payload.address_id
        )
        return services.ShippingAddress.from_fields(saved)
    if payload.shipping_address is None:
        raise services.CheckoutError(
            "Indique la dirección de envío (address_id o shipping_address).",
            details={"shipping_address": "required"},
        )
    return services.ShippingAddress.from_fields(payload.shipping_address.dict())


def _fingerprint(payload: CheckoutIn) -> dict:
    """The request as the idempotency key remembers it: never the card number or CVC."""
    data = payload.dict(exclude={"card"})
    if payload.card:
        data["card_last4"] = payload.card.number.replace(" ", "")[-4:]
    return data


@customer_router.post(
    "/checkout",
    response={201: PlacedOut, **errors(402, 404, 409, 422)},
    summary="Place an order from the customer's cart",
)
def checkout(
    request,
    payload: CheckoutIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        max_length=100,
        description=(
            "Any unique string (a UUID) chosen by the client for this purchase. The same key "
            "and body never place a second order: a retry gets the first answer, or the order "
            "as it is now if the first attempt was cut off (its payment finished first). The "
            "same key with another body is refused (422); while the first attempt is still "
            "creating its order, 409. Keys are scoped to the caller."
        ),
    ),
):
    user = request.auth
    kwargs = {
        "cart_id": cart_selectors.cart_find(user_id=user.pk),
        "customer_id": user.pk,
        "email": user.email,
        "shipping_address": _address(request, payload),
        "shipping_method": payload.shipping_method,
        "payment_method": payload.payment_method,
        "card": services.CardInput(**payload.card.dict()) if payload.card else None,
        "expected_signature": payload.cart_signature,
        "ip": client_ip(request),
        "user_agent": client_user_agent(request),
    }
    if kwargs["cart_id"] is None:
        raise services.CheckoutError("Su carrito está vacío.", code="cart_empty")
    key = idempotency_key
    if key is None:
        placed = services.order_place(**kwargs)
        return Status(
            201,
            {
                "number": placed.number,
                "status": placed.status,
                "total": placed.total,
                "payment_method": placed.payment_method,
            },
        )
    outcome = services.order_place_once(
        scope=f"user:{user.pk}", key=key, request=_fingerprint(payload), **kwargs
    )
    return Status(outcome.status, outcome.body)


@customer_router.get("/orders", response=list[OrderOut])
@paginate(ApiPageNumberPagination, page_size=20)
def order_list(request):
    return selectors.customer_orders(customer_id=request.auth.pk).order_by("-created_at", "-pk")


@customer_router.get("/orders/{number}", response=OrderDetailOut)
def order_get(request, number: str):
    order = selectors.order_get_for_customer(number=number, customer_id=request.auth.pk)
    if order is None:
        raise Http404
    return order


@customer_router.post("/orders/{number}/cancel", response={200: OrderDetailOut, **errors(409)})
def order_cancel(request, number: str):
    services.order_cancel(
        order_number=number,
        customer_id=request.auth.pk,
        ip=client_ip(request),
        user_agent=client_user_agent(request),
    )
    return selectors.order_get_for_customer(number=number, customer_id=request.auth.pk)


@manager_router.get("/manager/orders", response=list[OrderOut])
@paginate(ApiPageNumberPagination, page_size=50)
def manager_order_list(request, filters: Query[ManagerOrderFilters]):
    return selectors.order_search(
        filters=selectors.OrderFilters(
            q=filters.q,
            status=filters.status or "",
            payment_method=filters.payment_method or "",
            coupon=filters.coupon,
            date_from=filters.date_from,
            date_to=filters.date_to,
        )
    )


def _manager_detail(number: str):
    order = selectors.order_get(number=number)
    if order is None:
        raise Http404
    order.allowed_transitions = services.allowed_transitions(
        status=order.status, payment_method=order.payment_method, paid=order.paid_at is not None
    )
    return order


@manager_router.get("/manager/orders/{number}", response=OrderDetailOut)
def manager_order_get(request, number: str):
    return _manager_detail(number)


@manager_router.post(
    "/manager/orders/{number}/transition",
    response={200: OrderDetailOut, **errors(409)},
)
def manager_order_transition(request, number: str, payload: TransitionIn):
    services.order_transition(
        order_number=number,
        to_status=payload.to_status,
        by_user_id=request.auth.pk,
        note=payload.note,
    )
    return _manager_detail(number)


@manager_router.post(
    "/manager/orders/{number}/refund",
    response={200: OrderDetailOut, **errors(409)},
)
def manager_order_refund(request, number: str, payload: RefundIn):
    services.order_refund(
        order_number=number,
        amount=payload.amount,
        restock=[
            services.RefundLine(line_id=r.line_id, quantity=r.quantity) for r in payload.restock
        ],
        by_user_id=request.auth.pk,
        note=payload.note,
    )
    return _manager_detail(number)
