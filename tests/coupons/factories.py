"""Coupon test data, made through the coupons and accounts services as other apps would."""

from datetime import timedelta
from decimal import Decimal
from itertools import count

from django.utils import timezone

from apps.accounts import services as accounts_services
from apps.coupons import services as coupons_services
from apps.coupons.selectors import CouponLine

_n = count(1)


def make_coupon(*, code: str | None = None, kind: str = "percentage", value="10", **fields) -> int:
    fields.setdefault("valid_from", timezone.now() - timedelta(days=1))
    return coupons_services.coupon_create(
        code=code or f"PRUEBA{next(_n):04d}", kind=kind, value=value, **fields
    )


def make_customer(email: str | None = None, *, role: str = "customer") -> int:
    return accounts_services.user_create(
        email=email or f"cliente{next(_n)}@example.com", password="Clave-segura-123", role=role
    )


def line(
    line_id: str = "1",
    *,
    amount: str | Decimal = "100.00",
    product_id: int = 1,
    category_ids: tuple[int, ...] = (1,),
    brand_id: int | None = None,
) -> CouponLine:
    return CouponLine(
        line_id=line_id,
        product_id=product_id,
        category_ids=category_ids,
        brand_id=brand_id,
        amount=Decimal(amount),
    )
