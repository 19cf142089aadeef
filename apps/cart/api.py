"""Cart API: the same cart as the pages. Anonymous visitors use the session cookie (unsafe
methods need the CSRF token, sent as ``X-CSRFToken``); customers the session or a token."""

from decimal import Decimal

from django.middleware.csrf import get_token
from ninja import Field, Router, Schema
from ninja.security import SessionAuth

from apps.core.bounds import Id
from apps.core.openapi import errors

from . import selectors, services
from .session import current_cart_id

ANONYMOUS = "anonymous"


class VisitorAuth(SessionAuth):
    """Anyone with the site's session: the signed-in user, or an anonymous visitor."""

    allows_anonymous = True  # never a 401 (electropluz.api documents the errors)

    def authenticate(self, request, key):
        return request.user if request.user.is_authenticated else ANONYMOUS

    def _get_key(self, request):
        super()._get_key(request)  # the CSRF check on unsafe methods
        return ""


# Anyone with the site's session or a token: mounted with a token auth and ``VisitorAuth``.
customer_router = Router(tags=["cart"])


class CartLineOut(Schema):
    variant_id: int
    product_id: int | None
    sku: str
    name: str
    option_label: str
    unit_price: Decimal
    quantity: int
    line_total: Decimal
    discount: Decimal
    available: int
    issues: list[str]
    messages: list[str]


class CartOut(Schema):
    lines: list[CartLineOut]
    saved: list[CartLineOut]
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    coupon_code: str
    coupon_error: str
    coupon_error_code: str = ""
    item_count: int
    can_checkout: bool
    signature: str = Field(
        ..., description="send it back as the checkout's cart_signature to pay for this very cart"
    )
    message: str = ""


class LineIn(Schema):
    variant_id: Id
    quantity: int = Field(1, ge=1, le=10_000)


class QuantityIn(Schema):
    quantity: int = Field(..., ge=0, le=10_000)


class CartCouponIn(Schema):
    code: str = Field(..., min_length=1, max_length=40)


def _customer(request) -> int | None:
    return request.user.pk if request.user.is_authenticated else None


def _cart(request, *, message: str = "", cart_id=None):
    cart_id = cart_id or current_cart_id(request)
    priced = selectors.cart_price(cart_id=cart_id, customer_id=_customer(request))
    return {
        **{
            field: getattr(priced, field)
            for field in CartOut.model_fields
            if hasattr(priced, field)
        },
        "lines": [_line(line) for line in priced.lines],
        "saved": [_line(line) for line in priced.saved],
        "message": message,
    }


def _line(line):
    return {**line.__dict__, "issues": list(line.issues), "messages": line.messages}


@customer_router.get("/cart", response=CartOut)
def cart_get(request):
    get_token(request)  # sets the CSRF cookie a browser script needs for the writes
    return _cart(request)


@customer_router.post("/cart/lines", response={200: CartOut, **errors(409)})
def cart_line_add(request, payload: LineIn):
    cart_id = current_cart_id(request, create=True)
    change = services.cart_line_add(
        cart_id=cart_id, variant_id=payload.variant_id, quantity=payload.quantity
    )
    return _cart(request, message=change.message, cart_id=cart_id)


@customer_router.patch("/cart/lines/{int:variant_id}", response={200: CartOut, **errors(409)})
def cart_line_set(request, variant_id: int, payload: QuantityIn):
    cart_id = current_cart_id(request, create=True)
    change = services.cart_line_set(
        cart_id=cart_id, variant_id=variant_id, quantity=payload.quantity
    )
    return _cart(request, message=change.message, cart_id=cart_id)


@customer_router.delete("/cart/lines/{int:variant_id}", response=CartOut)
def cart_line_remove(request, variant_id: int):
    cart_id = current_cart_id(request, create=True)
    services.cart_line_remove(cart_id=cart_id, variant_id=variant_id)
    return _cart(request, cart_id=cart_id)


@customer_router.post("/cart/coupon", response={200: CartOut, **errors(409)})
def cart_coupon_apply(request, payload: CartCouponIn):
    cart_id = current_cart_id(request, create=True)
    services.cart_coupon_apply(cart_id=cart_id, code=payload.code, customer_id=_customer(request))
    return _cart(request, cart_id=cart_id)


@customer_router.delete("/cart/coupon", response=CartOut)
def cart_coupon_remove(request):
    cart_id = current_cart_id(request, create=True)
    services.cart_coupon_remove(cart_id=cart_id)
    return _cart(request, cart_id=cart_id)
