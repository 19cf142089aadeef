"""Cart reads: the priced cart, recomputed from inventory's current prices every time."""

import dataclasses
import hashlib
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from apps.core.errors import ApplicationError
from apps.core.money import ZERO, money_format
from apps.coupons import selectors as coupons_selectors
from apps.inventory import selectors as inventory_selectors

from . import pricing
from .models import Cart, CartLine

ISSUE_UNAVAILABLE = "unavailable"
ISSUE_OUT_OF_STOCK = "out_of_stock"
ISSUE_NOT_ENOUGH_STOCK = "not_enough_stock"
ISSUE_PRICE_CHANGED = "price_changed"


@dataclasses.dataclass(frozen=True)
class PricedLine:
    variant_id: int
    product_id: int | None
    sku: str
    name: str
    option_label: str
    product_slug: str
    unit_price: Decimal
    price_seen: Decimal
    quantity: int
    line_total: Decimal
    discount: Decimal
    available: int
    max_quantity: int
    issues: tuple[str, ...]
    category_ids: tuple[int, ...] = ()
    brand_id: int | None = None

    @property
    def messages(self) -> list[str]:
        texts = {
            ISSUE_UNAVAILABLE: _("Este producto ya no está a la venta."),
            ISSUE_OUT_OF_STOCK: _("Agotado."),
            ISSUE_NOT_ENOUGH_STOCK: _("Solo quedan %(n)s unidades.") % {"n": self.available},
            ISSUE_PRICE_CHANGED: _("El precio ha cambiado: antes %(old)s, ahora %(new)s.")
            % {"old": money_format(self.price_seen), "new": money_format(self.unit_price)},
        }
        return [texts[issue] for issue in self.issues]


@dataclasses.dataclass(frozen=True)
class PricedCart:
    cart_id: int | None
    lines: tuple[PricedLine, ...]
    saved: tuple[PricedLine, ...]
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    coupon_code: str = ""
    coupon_error: str = ""
    # The coupon's own refusal code ("coupon_exhausted"...): a checkout that refuses the
    # coupon answers with it, so one refusal has one code and one status everywhere.
    coupon_error_code: str = ""
    free_shipping_coupon: bool = False
    shipping_method: str = "standard"

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def has_issues(self) -> bool:
        return any(line.issues for line in self.lines)

    @property
    def can_checkout(self) -> bool:
        """Lines, none with an issue, and no coupon that stopped applying (remove it or fix it)."""
        return bool(self.lines) and not self.has_issues and not self.coupon_error

    @property
    def signature(self) -> str:
        """What the customer was shown: lines, prices, coupon, shipping and total. A checkout
        that sends it back is refused if anything of that changed since."""
        seen = [
            (line.variant_id, line.quantity, str(line.unit_price), str(line.discount))
            for line in self.lines
        ]
        text = repr((seen, self.coupon_code, str(self.shipping), str(self.total)))
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def free_shipping_missing(self) -> Decimal:
        """How much more would ship free (0 when it already does)."""
        if self.shipping == ZERO or self.shipping_method == "express":
            return ZERO
        return max(settings.SHOP_FREE_SHIPPING_OVER - (self.subtotal - self.discount), ZERO)


EMPTY_CART = PricedCart(
    cart_id=None,
    lines=(),
    saved=(),
    subtotal=ZERO,
    discount=ZERO,
    shipping=ZERO,
    tax=ZERO,
    total=ZERO,
)


def max_per_line() -> int:
    return settings.CART_MAX_PER_LINE


def cart_find(*, user_id: int | None = None, session_key: str = "") -> int | None:
    """The open cart of a customer, or of an anonymous session."""
    carts = Cart.objects.filter(status=Cart.Status.OPEN)
    if user_id:
        carts = carts.filter(user_id=user_id)
    elif session_key:
        carts = carts.filter(user__isnull=True, session_key=session_key)
    else:
        return None
    return carts.order_by("pk").values_list("pk", flat=True).first()


def _priced_line(line: CartLine, info) -> PricedLine:
    if info is None:
        return PricedLine(
            variant_id=line.variant_id,
            product_id=None,
            sku="",
            name=_("Producto retirado"),
            option_label="",
            product_slug="",
            unit_price=line.price_seen,
            price_seen=line.price_seen,
            quantity=line.quantity,
            line_total=ZERO,
            discount=ZERO,
            available=0,
            max_quantity=0,
            issues=(ISSUE_UNAVAILABLE,),
        )
    issues = []
    if not info.is_active:
        issues.append(ISSUE_UNAVAILABLE)
    elif info.on_hand <= 0:
        issues.append(ISSUE_OUT_OF_STOCK)
    elif line.quantity > info.on_hand:
        issues.append(ISSUE_NOT_ENOUGH_STOCK)
    if info.price != line.price_seen:
        issues.append(ISSUE_PRICE_CHANGED)
    sellable = info.is_active and info.on_hand > 0
    return PricedLine(
        variant_id=line.variant_id,
        product_id=info.product_id,
        sku=info.sku,
        name=info.name,
        option_label=info.option_label,
        product_slug=info.product_slug,
        unit_price=info.price,
        price_seen=line.price_seen,
        quantity=line.quantity,
        line_total=pricing.line_total(info.price, line.quantity) if sellable else ZERO,
        discount=ZERO,
        available=max(info.on_hand, 0) if info.is_active else 0,
        max_quantity=min(max(info.on_hand, 0), max_per_line()) if info.is_active else 0,
        issues=tuple(issues),
        category_ids=info.category_ids,
        brand_id=info.brand_id,
    )


def coupon_lines(lines) -> list:
    """The cart's sellable lines as the coupons app reads them."""
    return [
        coupons_selectors.CouponLine(
            line_id=str(line.variant_id),
            product_id=line.product_id,
            category_ids=line.category_ids,
            brand_id=line.brand_id,
            amount=line.line_total,
        )
        for line in lines
        if line.line_total > 0
    ]


SHIPPING_METHODS = ("standard", "express")


@dataclasses.dataclass(frozen=True)
class _CouponApplied:
    lines: list[PricedLine]
    discount: Decimal = ZERO
    free_shipping: bool = False
    error: str = ""
    error_code: str = ""


def _coupon_applied(
    code: str, lines: list[PricedLine], *, customer_id: int | None, has_previous_orders: bool
) -> _CouponApplied:
    """The cart's coupon evaluated now: its discount shared over the lines, or why not."""
    if not code or not lines:
        return _CouponApplied(lines=lines)
    try:
        evaluation = coupons_selectors.coupon_evaluate(
            code=code,
            lines=coupon_lines(lines),
            subtotal=sum((line.line_total for line in lines), ZERO),
            customer_id=customer_id,
            has_previous_orders=has_previous_orders,
        )
    except ApplicationError as error:
        return _CouponApplied(lines=lines, error=error.message, error_code=error.code)
    return _CouponApplied(
        lines=[
            dataclasses.replace(
                line, discount=evaluation.line_discounts.get(str(line.variant_id), ZERO)
            )
            for line in lines
        ],
        discount=evaluation.discount,
        free_shipping=evaluation.free_shipping,
    )


def cart_price(
    *,
    cart_id: int | None,
    customer_id: int | None = None,
    has_previous_orders: bool = False,
    shipping_method: str = "standard",
) -> PricedCart:
    """Price a cart now: current prices and stock, the coupon re-evaluated, every amount Decimal.

    ``shipping_method``: "standard" (flat rate, free over the threshold) or "express"
    (its own rate, always charged unless a free-shipping coupon applies).
    """
    if cart_id is None:
        return EMPTY_CART
    cart = Cart.objects.filter(pk=cart_id).values("coupon_code").first()
    if cart is None:
        return EMPTY_CART
    rows = list(CartLine.objects.filter(cart_id=cart_id).order_by("created_at", "pk"))
    infos = inventory_selectors.variant_get_many(variant_ids=[row.variant_id for row in rows])
    lines = [
        _priced_line(row, infos.get(row.variant_id)) for row in rows if not row.saved_for_later
    ]
    saved = [_priced_line(row, infos.get(row.variant_id)) for row in rows if row.saved_for_later]

    code = cart["coupon_code"]
    coupon = _coupon_applied(
        code, lines, customer_id=customer_id, has_previous_orders=has_previous_orders
    )
    lines = coupon.lines
    totals = pricing.totals(
        line_totals=[line.line_total for line in lines],
        discount=coupon.discount,
        free_shipping=coupon.free_shipping,
        shipping_flat=settings.SHOP_EXPRESS_SHIPPING
        if shipping_method == "express"
        else settings.SHOP_SHIPPING_FLAT,
        free_shipping_over=None
        if shipping_method == "express"
        else settings.SHOP_FREE_SHIPPING_OVER,
        vat_rate=settings.SHOP_VAT_RATE,
    )
    return PricedCart(
        cart_id=cart_id,
        lines=tuple(lines),
        saved=tuple(saved),
        subtotal=totals.subtotal,
        discount=totals.discount,
        shipping=totals.shipping,
        tax=totals.tax,
        total=totals.total,
        coupon_code=code,
        coupon_error=coupon.error,
        coupon_error_code=coupon.error_code,
        free_shipping_coupon=coupon.free_shipping,
        shipping_method=shipping_method,
    )


def cart_item_count(*, cart_id: int | None) -> int:
    if cart_id is None:
        return 0
    return sum(
        CartLine.objects.filter(cart_id=cart_id, saved_for_later=False).values_list(
            "quantity", flat=True
        )
    )


def cart_personal_data(*, user_id: int) -> list[dict]:
    """The customer's carts with their lines (and saved-for-later items), for "Mis datos"."""
    carts = Cart.objects.filter(user_id=user_id).prefetch_related("lines").order_by("pk")
    return [
        {
            "status": cart.status,
            "coupon_code": cart.coupon_code,
            "created_at": cart.created_at.isoformat(),
            "updated_at": cart.updated_at.isoformat(),
            "lines": [
                {
                    "variant_id": line.variant_id,
                    "quantity": line.quantity,
                    "price_seen": str(line.price_seen),
                    "saved_for_later": line.saved_for_later,
                    "added_at": line.created_at.isoformat(),
                }
                for line in cart.lines.all()
            ],
        }
        for cart in carts
    ]
