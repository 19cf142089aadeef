"""Coupon reads: evaluate a coupon against a cart, lists and the usage report.

``coupon_evaluate`` is the cart's call. It takes plain lines (``CouponLine``) and
returns a ``CouponEvaluation``; it never writes. The checkout then calls
``services.coupon_redeem``, which checks the limits again under a lock.

Restrictions: a coupon with no category, brand or product listed applies to
every line. Otherwise a line is eligible when it matches ANY of them: its
product is listed, its brand is listed, or one of its categories (the whole
path from the top category, so a coupon for "Informática" covers "Portátiles")
is listed.

Money: the discount is rounded once, with ``apps.core.money.money``. It is then
shared over the eligible lines in whole cents by largest remainder, so the
line discounts always add up to the discount exactly.
"""

import dataclasses
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import InvalidInputError
from apps.core.money import ZERO, from_cents, money, money_format, money_sum, money_total

from .errors import CouponNotApplicableError
from .models import Coupon, CouponRedemption

# --- Carriers ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CouponLine:
    line_id: str
    product_id: int
    category_ids: tuple[int, ...]  # from the top category down to the product's own
    brand_id: int | None
    amount: Decimal  # the line total, tax included, in cents


@dataclasses.dataclass(frozen=True)
class CouponEvaluation:
    code: str
    coupon_id: int
    kind: str
    discount: Decimal
    free_shipping: bool
    eligible_line_ids: tuple[str, ...]
    line_discounts: dict[str, Decimal]


@dataclasses.dataclass(frozen=True)
class CouponUsage:
    coupon_id: int
    code: str
    name: str
    kind: str
    redemptions: int
    discount_total: Decimal
    revenue: Decimal

    @property
    def kind_label(self) -> str:
        return str(Coupon.Kind(self.kind).label)


@dataclasses.dataclass(frozen=True)
class CouponListFilters:
    q: str = ""
    kind: str = ""
    active: bool | None = None


# --- Helpers shared with services ------------------------------------------------


def normalise_code(code: str) -> str:
    return (code or "").strip().upper()


def coupon_get(*, coupon_id: int) -> Coupon | None:
    """This app's own pages and API: one coupon (a model), or None."""
    return Coupon.objects.filter(pk=coupon_id).first()


def coupon_check_window(coupon: Coupon, *, now: datetime) -> None:
    """Active, started, not expired — else CouponNotApplicableError with the reason."""
    if not coupon.is_active:
        raise CouponNotApplicableError(
            _("El cupón «%(code)s» ya no está activo.") % {"code": coupon.code},
            code="coupon_inactive",
        )
    if coupon.valid_from and now < coupon.valid_from:
        raise CouponNotApplicableError(
            _("El cupón «%(code)s» todavía no es válido: se puede usar desde el %(date)s.")
            % {
                "code": coupon.code,
                "date": timezone.localtime(coupon.valid_from).strftime("%d/%m/%Y %H:%M"),
            },
            code="coupon_not_started",
            details={"valid_from": coupon.valid_from.isoformat()},
        )
    if coupon.valid_until and now >= coupon.valid_until:
        raise CouponNotApplicableError(
            _("El cupón «%(code)s» caducó el %(date)s.")
            % {
                "code": coupon.code,
                "date": timezone.localtime(coupon.valid_until).strftime("%d/%m/%Y %H:%M"),
            },
            code="coupon_expired",
            details={"valid_until": coupon.valid_until.isoformat()},
        )


def coupon_check_account(coupon: Coupon, *, customer_id: int | None) -> None:
    if customer_id is None and (coupon.first_order_only or coupon.max_uses_per_customer):
        raise CouponNotApplicableError(
            _("Inicie sesión para usar el cupón «%(code)s».") % {"code": coupon.code},
            code="coupon_requires_account",
        )


def exhausted_error(coupon: Coupon) -> CouponNotApplicableError:
    return CouponNotApplicableError(
        _("El cupón «%(code)s» se ha agotado.") % {"code": coupon.code}, code="coupon_exhausted"
    )


def unknown_error(code: str) -> CouponNotApplicableError:
    return CouponNotApplicableError(
        _("El cupón «%(code)s» no existe.") % {"code": (code or "").strip()[:40]},
        code="coupon_unknown",
    )


def first_order_only_error(code: str) -> CouponNotApplicableError:
    return CouponNotApplicableError(
        _("El cupón «%(code)s» solo vale para el primer pedido.") % {"code": code},
        code="coupon_first_order_only",
    )


def already_used_error(coupon: Coupon) -> CouponNotApplicableError:
    return CouponNotApplicableError(
        _("Ya ha usado el cupón «%(code)s» el máximo de veces permitido.") % {"code": coupon.code},
        code="coupon_already_used",
    )


def customer_uses(*, coupon_id: int, customer_id: int) -> int:
    """How many times this customer holds the coupon now (released uses do not count)."""
    return CouponRedemption.objects.filter(
        coupon_id=coupon_id, customer_id=customer_id, released_at__isnull=True
    ).count()


def line_is_eligible(coupon: Coupon, line: CouponLine) -> bool:
    if not coupon.has_restrictions:
        return True
    if line.product_id in set(coupon.product_ids):
        return True
    if line.brand_id is not None and line.brand_id in set(coupon.brand_ids):
        return True
    return bool(set(line.category_ids) & set(coupon.category_ids))


def allocate(total: Decimal, amounts: list[Decimal]) -> list[Decimal]:
    """Share ``total`` (cents, <= sum of amounts) over ``amounts`` in proportion, in whole cents.

    Largest remainder: each share is first floored, then the cents still to give go
    to the largest remainders (earlier lines first on a tie). Integer arithmetic
    only, so the shares add up to ``total`` exactly and none exceeds its amount.
    """
    total_cents = int(total * 100)
    cents = [int(amount * 100) for amount in amounts]
    base = sum(cents)
    if base <= 0 or total_cents <= 0:
        return [ZERO for _amount in amounts]
    shares = [total_cents * c // base for c in cents]
    remainders = [total_cents * c % base for c in cents]
    left = total_cents - sum(shares)
    for index in sorted(range(len(cents)), key=lambda i: (-remainders[i], i))[:left]:
        shares[index] += 1
    return [from_cents(share) for share in shares]


def _check_lines(lines: list[CouponLine]) -> None:
    seen = set()
    for line in lines:
        amount = Decimal(line.amount)
        if amount < 0 or amount != money(amount):
            raise InvalidInputError(
                _("El importe de la línea %(line)s no es válido.") % {"line": line.line_id},
                details={"line_id": line.line_id},
            )
        if line.line_id in seen:
            raise InvalidInputError(
                _("La línea %(line)s está repetida.") % {"line": line.line_id},
                details={"line_id": line.line_id},
            )
        seen.add(line.line_id)


# --- The cart's call ---------------------------------------------------------------


def coupon_evaluate(
    *,
    code: str,
    lines: list[CouponLine],
    subtotal: Decimal,
    customer_id: int | None,
    has_previous_orders: bool = False,
    now: datetime | None = None,
) -> CouponEvaluation:
    """The discount ``code`` gives on these lines, or CouponNotApplicableError saying why."""
    now = now or timezone.now()
    _check_lines(lines)
    normalised = normalise_code(code)
    coupon = Coupon.objects.filter(code=normalised).first() if normalised else None
    if coupon is None:
        raise unknown_error(code)
    coupon_check_window(coupon, now=now)
    coupon_check_account(coupon, customer_id=customer_id)
    _check_uses(coupon, customer_id=customer_id, has_previous_orders=has_previous_orders)
    eligible = [line for line in lines if line_is_eligible(coupon, line)]
    if not eligible:
        raise CouponNotApplicableError(
            _("El cupón «%(code)s» no se aplica a ningún producto de su carrito.")
            % {"code": coupon.code},
            code="coupon_not_applicable",
        )
    _check_minimum(coupon, subtotal=Decimal(subtotal))
    return _evaluation(coupon, eligible)


def _check_uses(coupon: Coupon, *, customer_id: int | None, has_previous_orders: bool) -> None:
    if coupon.first_order_only and has_previous_orders:
        raise first_order_only_error(coupon.code)
    if coupon.max_uses is not None and coupon.uses >= coupon.max_uses:
        raise exhausted_error(coupon)
    if (
        coupon.max_uses_per_customer is not None
        and customer_id is not None
        and customer_uses(coupon_id=coupon.pk, customer_id=customer_id)
        >= coupon.max_uses_per_customer
    ):
        raise already_used_error(coupon)


def _check_minimum(coupon: Coupon, *, subtotal: Decimal) -> None:
    if subtotal >= coupon.minimum_subtotal:
        return
    missing = money(coupon.minimum_subtotal - subtotal)
    raise CouponNotApplicableError(
        _("El cupón «%(code)s» requiere un pedido mínimo de %(minimum)s: le faltan %(missing)s.")
        % {
            "code": coupon.code,
            "minimum": money_format(coupon.minimum_subtotal),
            "missing": money_format(missing),
        },
        code="coupon_minimum_not_reached",
        details={"minimum": str(coupon.minimum_subtotal), "missing": str(missing)},
    )


def _evaluation(coupon: Coupon, eligible: list[CouponLine]) -> CouponEvaluation:
    """The discount on the eligible lines, rounded once, shared over them in whole cents."""
    eligible_amounts = [Decimal(line.amount) for line in eligible]
    eligible_subtotal = sum(eligible_amounts, ZERO)
    free_shipping = coupon.kind == Coupon.Kind.FREE_SHIPPING
    if free_shipping:
        discount = ZERO
    elif coupon.kind == Coupon.Kind.PERCENTAGE:
        discount = money(eligible_subtotal * coupon.value / 100)
    else:
        discount = money(coupon.value)
    discount = min(discount, eligible_subtotal)
    shares = allocate(discount, eligible_amounts)
    return CouponEvaluation(
        code=coupon.code,
        coupon_id=coupon.pk,
        kind=coupon.kind,
        discount=discount,
        free_shipping=free_shipping,
        eligible_line_ids=tuple(line.line_id for line in eligible),
        line_discounts={line.line_id: share for line, share in zip(eligible, shares, strict=True)},
    )


# --- The manager's pages -------------------------------------------------------------


def coupon_list(*, filters: CouponListFilters | None = None) -> QuerySet[Coupon]:
    """Coupons for this app's own pages and API, newest first."""
    filters = filters or CouponListFilters()
    coupons = Coupon.objects.all()
    if filters.active is not None:
        coupons = coupons.filter(is_active=filters.active)
    if filters.kind:
        coupons = coupons.filter(kind=filters.kind)
    q = normalise_code(filters.q)[:40]
    if q:
        coupons = coupons.filter(Q(code__contains=q) | Q(name__icontains=filters.q.strip()[:40]))
    return coupons.order_by("-created_at", "-pk")


def coupon_usage_report(*, coupon_id: int | None = None) -> list[CouponUsage]:
    """Per coupon: redemptions, discount given and revenue of the orders, released uses left out.

    Without ``coupon_id``: every coupon used at least once, the most discount first.
    With it: that coupon alone (with zeros if it was never used).
    """
    kept = Q(redemptions__released_at__isnull=True)
    coupons = Coupon.objects.annotate(
        n=Count("redemptions", filter=kept),
        discount_total=money_sum("redemptions__discount", filter=kept),
        revenue=money_sum("redemptions__order_total", filter=kept),
    )
    coupons = coupons.filter(pk=coupon_id) if coupon_id is not None else coupons.filter(n__gt=0)
    rows = coupons.order_by("-discount_total", "code").values(
        "pk", "code", "name", "kind", "n", "discount_total", "revenue"
    )
    return [
        CouponUsage(
            coupon_id=row["pk"],
            code=row["code"],
            name=row["name"],
            kind=row["kind"],
            redemptions=row["n"],
            discount_total=money_total(row["discount_total"]),
            revenue=money_total(row["revenue"]),
        )
        for row in rows
    ]


# --- The ETL's reads ---------------------------------------------------------------------


def etl_coupons(*, codes) -> list[dict]:
    """Code, kind and value of the coupons with these codes (upper case)."""
    return list(
        Coupon.objects.filter(code__in=[normalise_code(code) for code in codes])
        .order_by("code")
        .values("code", "kind", "value")
    )


def coupon_personal_data(*, user_id: int) -> list[dict]:
    """The coupons the customer used (released uses too, with when), for "Mis datos"."""
    rows = (
        CouponRedemption.objects.filter(customer_id=user_id)
        .order_by("created_at", "pk")
        .values(
            "coupon__code",
            "order_reference",
            "discount",
            "order_total",
            "created_at",
            "released_at",
        )
    )
    return [
        {
            "code": row["coupon__code"],
            "order": row["order_reference"],
            "discount": str(row["discount"]),
            "order_total": str(row["order_total"]),
            "used_at": row["created_at"].isoformat(),
            "released_at": row["released_at"].isoformat() if row["released_at"] else None,
        }
        for row in rows
    ]
