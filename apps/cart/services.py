"""Cart use cases. Quantities are capped by stock and by a per-line maximum; prices and
availability always come from the inventory app."""

import dataclasses

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.core.errors import ApplicationError, ConflictError, InvalidInputError, NotFoundError
from apps.coupons import selectors as coupons_selectors
from apps.inventory import selectors as inventory_selectors

from . import selectors
from .models import Cart, CartLine


class CartError(InvalidInputError):
    code = "cart_invalid"


class ProductNotAvailableError(ConflictError):
    code = "product_unavailable"


def badge_cache_key(cart_id: int) -> str:
    return f"cart:{cart_id}:count"


def _changed(cart_id: int) -> None:
    """Forget the cached item count once the change commits (the header badge)."""
    transaction.on_commit(lambda: cache.delete(badge_cache_key(cart_id)))


@dataclasses.dataclass(frozen=True)
class LineChange:
    """What a quantity change ended with; ``message`` says why when less than asked."""

    variant_id: int
    quantity: int
    requested: int
    message: str = ""

    @property
    def capped(self) -> bool:
        return self.quantity < self.requested


def _variant(variant_id: int):
    info = inventory_selectors.variant_get_many(variant_ids=[variant_id]).get(variant_id)
    if info is None or not info.is_active:
        raise ProductNotAvailableError(_("Este producto ya no está a la venta."))
    if info.on_hand <= 0:
        raise ProductNotAvailableError(
            _("«%(name)s» está agotado.") % {"name": info.name}, code="out_of_stock"
        )
    return info


def _cap(info, requested: int) -> tuple[int, str]:
    limit = min(info.on_hand, selectors.max_per_line())
    if requested <= limit:
        return requested, ""
    if limit == info.on_hand:
        message = _("Solo quedan %(n)s unidades de «%(name)s»; le hemos puesto %(n)s.")
    else:
        message = _("Puede comprar como máximo %(n)s unidades de «%(name)s» por pedido.")
    return limit, message % {"n": limit, "name": info.name}


def _quantity(value) -> int:
    try:
        quantity = int(value)
    except (TypeError, ValueError):
        raise CartError(_("Indique una cantidad válida.")) from None
    if quantity < 0 or quantity > 10_000:
        raise CartError(_("Indique una cantidad válida."))
    return quantity


@transaction.atomic
def cart_open(*, user_id: int | None = None, session_key: str = "") -> int:
    """The open cart of a customer or an anonymous session, created when there is none."""
    if not user_id and not session_key:
        raise CartError(_("No hay sesión para el carrito."))
    existing = selectors.cart_find(user_id=user_id, session_key=session_key)
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Cart.objects.create(user_id=user_id, session_key=session_key or "").pk
    except IntegrityError:  # another request of the same customer created it just now
        return selectors.cart_find(user_id=user_id, session_key=session_key)


@transaction.atomic
def cart_line_add(*, cart_id: int, variant_id: int, quantity=1) -> LineChange:
    """Add ``quantity`` (on top of what the cart has), capped by stock and the per-line maximum."""
    quantity = _quantity(quantity)
    if quantity < 1:
        raise CartError(_("Indique una cantidad válida."))
    info = _variant(variant_id)
    line = (
        CartLine.objects.select_for_update().filter(cart_id=cart_id, variant_id=variant_id).first()
    )
    requested = quantity + (line.quantity if line and not line.saved_for_later else 0)
    final, message = _cap(info, requested)
    if line is None:
        CartLine.objects.create(
            cart_id=cart_id, variant_id=variant_id, quantity=final, price_seen=info.price
        )
    else:
        line.quantity, line.saved_for_later, line.price_seen = final, False, info.price
        line.save(update_fields=["quantity", "saved_for_later", "price_seen"])
    Cart.objects.filter(pk=cart_id).update(status=Cart.Status.OPEN)
    _changed(cart_id)
    return LineChange(variant_id=variant_id, quantity=final, requested=requested, message=message)


@transaction.atomic
def cart_line_set(*, cart_id: int, variant_id: int, quantity) -> LineChange:
    """Set a line's quantity (0 removes it), capped like cart_line_add."""
    quantity = _quantity(quantity)
    line = (
        CartLine.objects.select_for_update().filter(cart_id=cart_id, variant_id=variant_id).first()
    )
    if line is None:
        raise NotFoundError(_("Ese producto no está en su carrito."))
    _changed(cart_id)
    if quantity == 0:
        line.delete()
        return LineChange(variant_id=variant_id, quantity=0, requested=0)
    info = _variant(variant_id)
    final, message = _cap(info, quantity)
    line.quantity, line.price_seen = final, info.price
    line.save(update_fields=["quantity", "price_seen"])
    return LineChange(variant_id=variant_id, quantity=final, requested=quantity, message=message)


@transaction.atomic
def cart_line_remove(*, cart_id: int, variant_id: int) -> None:
    deleted, _counts = CartLine.objects.filter(cart_id=cart_id, variant_id=variant_id).delete()
    if not deleted:
        raise NotFoundError(_("Ese producto no está en su carrito."))
    _changed(cart_id)


@transaction.atomic
def cart_line_save_for_later(*, cart_id: int, variant_id: int, saved: bool = True) -> None:
    """Move a line to the saved list (signed-in customers) or back into the cart."""
    cart = Cart.objects.filter(pk=cart_id).values("user_id").first()
    if cart is None:
        raise NotFoundError(_("Carrito no encontrado."))
    if saved and not cart["user_id"]:
        raise CartError(
            _("Inicie sesión para guardar productos para más tarde."), code="sign_in_required"
        )
    line = (
        CartLine.objects.select_for_update().filter(cart_id=cart_id, variant_id=variant_id).first()
    )
    if line is None:
        raise NotFoundError(_("Ese producto no está en su carrito."))
    if not saved:
        info = _variant(variant_id)
        line.quantity, _message = _cap(info, line.quantity)
        line.price_seen = info.price
    line.saved_for_later = saved
    line.save()
    _changed(cart_id)


@transaction.atomic
def cart_confirm_changes(*, cart_id: int) -> None:
    """The customer accepts what changed: new prices, fewer units; sold-out lines leave the cart."""
    priced = selectors.cart_price(cart_id=cart_id)
    _changed(cart_id)
    for line in priced.lines:
        if not line.issues:
            continue
        if line.available <= 0:
            CartLine.objects.filter(cart_id=cart_id, variant_id=line.variant_id).delete()
            continue
        CartLine.objects.filter(cart_id=cart_id, variant_id=line.variant_id).update(
            price_seen=line.unit_price, quantity=min(line.quantity, line.max_quantity)
        )


@transaction.atomic
def cart_coupon_apply(
    *, cart_id: int, code: str, customer_id: int | None, has_previous_orders: bool = False
) -> None:
    """Apply a coupon (one per cart) if it applies now; raises with the precise reason if not."""
    code = (code or "").strip().upper()
    if not code:
        raise CartError(_("Escriba el código del cupón."), code="coupon_unknown")
    priced = selectors.cart_price(cart_id=cart_id, customer_id=customer_id)
    if not priced.lines:
        raise CartError(_("Su carrito está vacío."), code="cart_empty")
    coupons_selectors.coupon_evaluate(
        code=code,
        lines=selectors.coupon_lines(priced.lines),
        subtotal=priced.subtotal,
        customer_id=customer_id,
        has_previous_orders=has_previous_orders,
    )
    Cart.objects.filter(pk=cart_id).update(coupon_code=code)


@transaction.atomic
def cart_coupon_remove(*, cart_id: int) -> None:
    Cart.objects.filter(pk=cart_id).update(coupon_code="")


@transaction.atomic
def cart_clear(*, cart_id: int) -> None:
    """Empty the cart after an order (saved-for-later lines stay) and drop its coupon."""
    CartLine.objects.filter(cart_id=cart_id, saved_for_later=False).delete()
    Cart.objects.filter(pk=cart_id).update(coupon_code="")
    _changed(cart_id)


@transaction.atomic
def cart_merge(*, user_id: int, session_key: str) -> int | None:
    """Merge an anonymous session's cart into the customer's (quantities added, capped).

    Idempotent: the anonymous cart is marked merged, so a second call finds nothing.
    Returns the customer's cart id, or None when there was nothing to merge.
    """
    source = (
        Cart.objects.select_for_update()
        .filter(status=Cart.Status.OPEN, user__isnull=True, session_key=session_key)
        .first()
        if session_key
        else None
    )
    if source is None:
        return None
    target_id = cart_open(user_id=user_id)
    for line in CartLine.objects.filter(cart=source, saved_for_later=False):
        try:
            cart_line_add(cart_id=target_id, variant_id=line.variant_id, quantity=line.quantity)
        except ApplicationError:
            continue  # sold out or withdrawn since: nothing to carry over
    if source.coupon_code:
        Cart.objects.filter(pk=target_id, coupon_code="").update(coupon_code=source.coupon_code)
    _changed(target_id)
    source.status = Cart.Status.MERGED
    source.save(update_fields=["status", "updated_at"])
    CartLine.objects.filter(cart=source).delete()
    return target_id
