"""Coupon use cases: redeem and release (the checkout's), and the manager's.

Redemption under concurrency (RELIABILITY C-04, C-05). ``coupon_redeem`` runs
inside the checkout's transaction and never lets a coupon pass its limits:

- Total limit: one conditional update,
  ``filter(pk=..., uses__lt=F("max_uses")).update(uses=F("uses") + 1)``. On
  PostgreSQL a concurrent update of the same row waits for the first
  transaction and re-checks the condition on the committed row, so only
  ``max_uses`` of them can ever match; zero rows updated means exhausted. The
  CHECK constraint ``uses <= max_uses`` is the last guard.
- Per-customer limit: the count of this customer's redemptions is not a
  single row, so it cannot be a conditional update. When the coupon has a
  per-customer limit we first lock the coupon row (``select_for_update``), then
  count the customer's unreleased redemptions, then increment. Every redeem of
  that coupon takes this lock first, so the count always sees the redemptions
  of the transactions that held it before (READ COMMITTED takes a fresh
  snapshot per statement). Coupons without a per-customer limit skip the lock;
  the conditional update serialises them on the same row anyway.

The lock is held until the checkout commits, so the checkout must keep slow work
(the card charge) outside its transaction, as DESIGN.md says.
"""

import dataclasses
import secrets
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.bounds import BIGINT_MAX
from apps.core.errors import InvalidInputError, NotFoundError
from apps.core.money import ZERO, money
from apps.core.services import event_publish

from . import selectors
from .errors import CouponNotApplicableError, CouponValidationError
from .events import CouponRedeemed, CouponReleased
from .models import Coupon, CouponRedemption

__all__ = [
    "BULK_MAX",
    "MAX_USES_MAX",
    "MAX_USES_PER_CUSTOMER_MAX",
    "CouponNotApplicableError",
    "CouponValidationError",
    "Redemption",
    "coupon_bulk_generate",
    "coupon_create",
    "coupon_deactivate",
    "coupon_redeem",
    "coupon_release",
    "coupon_update",
]

BULK_MAX = 5000
# Business limits on a coupon's uses (the columns hold 2**31 - 1).
MAX_USES_MAX = 10_000_000
MAX_USES_PER_CUSTOMER_MAX = 1_000
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud without doubt
CODE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
SUFFIX_LENGTH = 10


# --- The checkout's calls ---------------------------------------------------------


def _coupon_for_redemption(code: str, *, customer_id: int | None, now: datetime) -> Coupon:
    """The coupon, checked; its row locked when a per-customer rule must hold under races."""
    normalised = selectors.normalise_code(code)
    coupons = Coupon.objects.filter(code=normalised)
    limits = coupons.values_list("max_uses_per_customer", "first_order_only").first()
    if limits is not None and (limits[0] is not None or limits[1]):
        coupons = coupons.select_for_update()  # per customer: one checkout at a time
    coupon = coupons.first() if normalised else None
    if coupon is None:
        raise selectors.unknown_error(code)
    selectors.coupon_check_window(coupon, now=now)
    selectors.coupon_check_account(coupon, customer_id=customer_id)
    if coupon.max_uses_per_customer is not None and (
        selectors.customer_uses(coupon_id=coupon.pk, customer_id=customer_id)
        >= coupon.max_uses_per_customer
    ):
        raise selectors.already_used_error(coupon)
    return coupon


@dataclasses.dataclass(frozen=True)
class Redemption:
    redemption_id: int
    # The coupon's row stays locked until the checkout commits: a first-order coupon's
    # checkout re-checks "no previous order" after this call, and a concurrent one waits.
    first_order_only: bool


@transaction.atomic
def coupon_redeem(
    *,
    code: str,
    customer_id: int | None,
    order_reference: str,
    discount: Decimal,
    order_total: Decimal,
    now: datetime | None = None,
) -> Redemption:
    """Use the coupon for an order, inside the checkout's transaction.

    Raises CouponNotApplicableError (coupon_unknown, coupon_inactive, coupon_not_started,
    coupon_expired, coupon_requires_account, coupon_exhausted, coupon_already_used).
    """
    now = now or timezone.now()
    order_reference = (order_reference or "").strip()
    if not order_reference or len(order_reference) > 40:
        raise InvalidInputError(
            _("Referencia de pedido no válida."), details={"order_reference": "invalid"}
        )
    discount, order_total = money(discount), money(order_total)
    if discount < 0 or order_total < 0:
        raise InvalidInputError(_("Los importes no pueden ser negativos."))

    coupon = _coupon_for_redemption(code, customer_id=customer_id, now=now)
    counted = Coupon.objects.filter(pk=coupon.pk)
    if coupon.max_uses is not None:
        counted = counted.filter(uses__lt=F("max_uses"))
    if not counted.update(uses=F("uses") + 1):
        raise selectors.exhausted_error(coupon)
    try:
        with transaction.atomic():
            redemption = CouponRedemption.objects.create(
                coupon=coupon,
                customer_id=customer_id,
                order_reference=order_reference,
                discount=discount,
                order_total=order_total,
            )
    except IntegrityError:
        raise CouponNotApplicableError(
            _("El cupón «%(code)s» ya está aplicado a este pedido.") % {"code": coupon.code},
            code="coupon_already_used",
        ) from None
    event_publish(
        CouponRedeemed(
            coupon_id=coupon.pk,
            code=coupon.code,
            redemption_id=redemption.pk,
            customer_id=customer_id,
            order_reference=order_reference,
            discount=str(discount),
            order_total=str(order_total),
        )
    )
    return Redemption(redemption_id=redemption.pk, first_order_only=coupon.first_order_only)


@transaction.atomic
def coupon_release(*, order_reference: str, now: datetime | None = None) -> bool:
    """Give back the coupon use of a cancelled order. Idempotent: True only the first time."""
    now = now or timezone.now()
    released = False
    redemptions = CouponRedemption.objects.filter(
        order_reference=(order_reference or "").strip(), released_at__isnull=True
    ).select_related("coupon")
    for redemption in redemptions.order_by("pk"):
        # The conditional update decides who releases: a concurrent second call finds 0 rows.
        if not CouponRedemption.objects.filter(pk=redemption.pk, released_at__isnull=True).update(
            released_at=now
        ):
            continue
        Coupon.objects.filter(pk=redemption.coupon_id, uses__gt=0).update(uses=F("uses") - 1)
        event_publish(
            CouponReleased(
                coupon_id=redemption.coupon_id,
                code=redemption.coupon.code,
                redemption_id=redemption.pk,
                customer_id=redemption.customer_id,
                order_reference=redemption.order_reference,
                discount=str(redemption.discount),
            )
        )
        released = True
    return released


# --- The manager's use cases ------------------------------------------------------------


def _amount(value: Any, field: str) -> Decimal:
    try:
        amount = money(Decimal(str(value).strip().replace(",", ".")))
    except (InvalidOperation, ValueError, TypeError):
        raise CouponValidationError(
            _("«%(value)s» no es un importe válido.") % {"value": value}, details={field: "invalid"}
        ) from None
    if amount < 0:
        raise CouponValidationError(
            _("El importe no puede ser negativo."), details={field: "out_of_range"}
        )
    return amount


def _optional_count(value: Any, field: str, maximum: int) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (ValueError, TypeError):
        raise CouponValidationError(
            _("Escriba un número entero."), details={field: "invalid"}
        ) from None
    if number < 1:
        raise CouponValidationError(
            _("Debe ser al menos 1 (o dejarse vacío)."), details={field: "out_of_range"}
        )
    if number > maximum:
        raise CouponValidationError(
            _("Como mucho %(max)s.") % {"max": maximum}, details={field: "out_of_range"}
        )
    return number


def _ids(values: Iterable[Any] | None, field: str) -> list[int]:
    try:
        ids = sorted({int(value) for value in values or ()})
    except (ValueError, TypeError):
        raise CouponValidationError(
            _("Identificadores no válidos."), details={field: "invalid"}
        ) from None
    if any(not 0 < i <= BIGINT_MAX for i in ids):
        raise CouponValidationError(_("Identificadores no válidos."), details={field: "invalid"})
    return ids


def _check_code(code: str, *, exclude_pk: int | None = None) -> str:
    code = selectors.normalise_code(code)
    if not 3 <= len(code) <= 40 or not set(code) <= CODE_CHARS:
        raise CouponValidationError(
            _(
                "El código debe tener entre 3 y 40 caracteres: letras sin tilde, números, «-» o «_»."
            ),
            details={"code": "invalid"},
        )
    if Coupon.objects.filter(code=code).exclude(pk=exclude_pk).exists():
        raise CouponValidationError(
            _("Ya existe un cupón con el código «%(code)s».") % {"code": code},
            code="coupon_code_taken",
            details={"code": "taken"},
        )
    return code


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Validate the coupon's fields (all of them present) and return them cleaned."""
    kind = data["kind"]
    if kind not in Coupon.Kind.values:
        raise CouponValidationError(_("Tipo de cupón no válido."), details={"kind": "invalid"})
    value = _amount(data.get("value") or 0, "value")
    if kind == Coupon.Kind.PERCENTAGE and not 0 < value <= 100:
        raise CouponValidationError(
            _("El porcentaje debe ser mayor que 0 y como mucho 100."),
            details={"value": "out_of_range"},
        )
    if kind == Coupon.Kind.FIXED and value <= 0:
        raise CouponValidationError(
            _("El importe del descuento debe ser mayor que cero."),
            details={"value": "out_of_range"},
        )
    if kind == Coupon.Kind.FREE_SHIPPING:
        value = ZERO
    valid_from = data.get("valid_from") or timezone.now()
    valid_until = data.get("valid_until")
    if valid_until is not None and valid_until <= valid_from:
        raise CouponValidationError(
            _("La fecha de fin debe ser posterior a la de inicio."),
            details={"valid_until": "before_start"},
        )
    return {
        "name": (data.get("name") or "").strip()[:120],
        "description": (data.get("description") or "").strip(),
        "kind": kind,
        "value": value,
        "minimum_subtotal": _amount(data.get("minimum_subtotal") or 0, "minimum_subtotal"),
        "valid_from": valid_from,
        "valid_until": valid_until,
        "max_uses": _optional_count(data.get("max_uses"), "max_uses", MAX_USES_MAX),
        "max_uses_per_customer": _optional_count(
            data.get("max_uses_per_customer"), "max_uses_per_customer", MAX_USES_PER_CUSTOMER_MAX
        ),
        "first_order_only": bool(data.get("first_order_only")),
        "category_ids": _ids(data.get("category_ids"), "category_ids"),
        "brand_ids": _ids(data.get("brand_ids"), "brand_ids"),
        "product_ids": _ids(data.get("product_ids"), "product_ids"),
        "is_active": bool(data.get("is_active", True)),
    }


@transaction.atomic
def coupon_create(
    *,
    code: str,
    kind: str,
    value: Decimal | str | int = 0,
    name: str = "",
    description: str = "",
    minimum_subtotal: Decimal | str | int = 0,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    max_uses: int | None = None,
    max_uses_per_customer: int | None = None,
    first_order_only: bool = False,
    category_ids: Iterable[int] = (),
    brand_ids: Iterable[int] = (),
    product_ids: Iterable[int] = (),
    is_active: bool = True,
) -> int:
    """Create a coupon; returns its id. Raises CouponValidationError naming the field."""
    fields = _clean(
        {
            "kind": kind,
            "value": value,
            "name": name,
            "description": description,
            "minimum_subtotal": minimum_subtotal,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "max_uses": max_uses,
            "max_uses_per_customer": max_uses_per_customer,
            "first_order_only": first_order_only,
            "category_ids": category_ids,
            "brand_ids": brand_ids,
            "product_ids": product_ids,
            "is_active": is_active,
        }
    )
    code = _check_code(code)
    try:
        with transaction.atomic():
            return Coupon.objects.create(code=code, **fields).pk
    except IntegrityError:  # the same code created at the same moment
        raise CouponValidationError(
            _("Ya existe un cupón con el código «%(code)s».") % {"code": code},
            code="coupon_code_taken",
            details={"code": "taken"},
        ) from None


_EDITABLE = (
    "code",
    "name",
    "description",
    "kind",
    "value",
    "minimum_subtotal",
    "valid_from",
    "valid_until",
    "max_uses",
    "max_uses_per_customer",
    "first_order_only",
    "category_ids",
    "brand_ids",
    "product_ids",
    "is_active",
)


@transaction.atomic
def coupon_update(*, coupon_id: int, **changes: Any) -> None:
    """Change some fields of a coupon (the others keep their value)."""
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise CouponValidationError(
            _("Campos desconocidos: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    coupon = Coupon.objects.select_for_update().filter(pk=coupon_id).first()
    if coupon is None:
        raise NotFoundError(_("Cupón no encontrado."))
    current = {name: getattr(coupon, name) for name in _EDITABLE}
    current.update(changes)
    fields = _clean(current)
    if fields["max_uses"] is not None and fields["max_uses"] < coupon.uses:
        raise CouponValidationError(
            _("El cupón ya se ha usado %(uses)s veces: el máximo no puede ser menor.")
            % {"uses": coupon.uses},
            details={"max_uses": "below_uses"},
        )
    if "code" in changes:
        fields["code"] = _check_code(changes["code"], exclude_pk=coupon.pk)
    for name, value in fields.items():
        setattr(coupon, name, value)
    try:
        with transaction.atomic():
            coupon.save()
    except IntegrityError:
        raise CouponValidationError(
            _("Ya existe un cupón con el código «%(code)s».") % {"code": coupon.code},
            code="coupon_code_taken",
            details={"code": "taken"},
        ) from None


@transaction.atomic
def coupon_deactivate(*, coupon_id: int) -> bool:
    """Stop a coupon from being used. True if it was active."""
    if not Coupon.objects.filter(pk=coupon_id).exists():
        raise NotFoundError(_("Cupón no encontrado."))
    return bool(Coupon.objects.filter(pk=coupon_id, is_active=True).update(is_active=False))


def _random_codes(prefix: str, count: int) -> set[str]:
    return {
        f"{prefix}-{''.join(secrets.choice(CODE_ALPHABET) for _ in range(SUFFIX_LENGTH))}"
        for _ in range(count)
    }


def _unused_codes(prefix: str, count: int) -> set[str]:
    """``count`` random codes that no coupon has yet."""
    codes: set[str] = set()
    while len(codes) < count:
        candidates = _random_codes(prefix, count - len(codes)) - codes
        taken = set()
        batch = sorted(candidates)
        for start in range(0, len(batch), 900):
            taken.update(
                Coupon.objects.filter(code__in=batch[start : start + 900]).values_list(
                    "code", flat=True
                )
            )
        codes |= candidates - taken
    return codes


@transaction.atomic
def coupon_bulk_generate(
    *,
    prefix: str,
    count: int,
    kind: str,
    value: Decimal | str | int = 0,
    name: str = "",
    minimum_subtotal: Decimal | str | int = 0,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    category_ids: Iterable[int] = (),
    brand_ids: Iterable[int] = (),
    product_ids: Iterable[int] = (),
) -> list[str]:
    """Create ``count`` single-use coupons ``PREFIX-XXXXXXXXXX`` (random suffix); return the codes.

    The suffix has 10 characters from a 32-letter alphabet (50 bits, from ``secrets``),
    so codes cannot be guessed from one another. One transaction, one bulk insert.
    """
    prefix = selectors.normalise_code(prefix)
    if not 1 <= len(prefix) <= 20 or not set(prefix) <= CODE_CHARS:
        raise CouponValidationError(
            _(
                "El prefijo debe tener entre 1 y 20 caracteres: letras sin tilde, números, «-» o «_»."
            ),
            details={"prefix": "invalid"},
        )
    try:
        count = int(count)
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= BULK_MAX:
        raise CouponValidationError(
            _("Se pueden generar entre 1 y %(max)s códigos a la vez.") % {"max": BULK_MAX},
            details={"count": "out_of_range"},
        )
    fields = _clean(
        {
            "kind": kind,
            "value": value,
            "name": name,
            "minimum_subtotal": minimum_subtotal,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "max_uses": 1,
            "max_uses_per_customer": None,
            "first_order_only": False,
            "category_ids": category_ids,
            "brand_ids": brand_ids,
            "product_ids": product_ids,
            "is_active": True,
        }
    )
    fields["batch"] = f"{prefix}-{timezone.now():%Y%m%d%H%M%S}"
    codes = _unused_codes(prefix, count)
    ordered = sorted(codes)
    Coupon.objects.bulk_create((Coupon(code=code, **fields) for code in ordered), batch_size=500)
    return ordered
