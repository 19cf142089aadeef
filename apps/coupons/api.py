"""Coupons API for managers: list, create, read, update, deactivate, usage report.

(Applying a coupon to a cart is the cart's API.)
"""

from datetime import datetime
from decimal import Decimal

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from apps.core.bounds import Id
from apps.core.paging import ApiPageNumberPagination

from . import selectors, services
from .models import Coupon

manager_router = Router(tags=["coupons"])  # managers: mounted with manager auth

KIND_PATTERN = "^(" + "|".join(Coupon.Kind.values) + ")$"


class CouponOut(Schema):
    id: int
    code: str
    name: str
    description: str
    kind: str
    value: Decimal
    minimum_subtotal: Decimal
    valid_from: datetime
    valid_until: datetime | None
    max_uses: int | None
    max_uses_per_customer: int | None
    first_order_only: bool
    category_ids: list[int]
    brand_ids: list[int]
    product_ids: list[int]
    is_active: bool
    uses: int
    batch: str
    created_at: datetime


class CouponFilterIn(Schema):
    q: str = Field("", max_length=40, description="code or name contains")
    kind: str = Field("", pattern="^$|" + KIND_PATTERN)
    active: bool | None = None


class CouponIn(Schema):
    code: str = Field(..., min_length=3, max_length=40)
    kind: str = Field(..., pattern=KIND_PATTERN)
    value: Decimal = Field(Decimal("0"), ge=0, max_digits=10, decimal_places=2)
    name: str = Field("", max_length=120)
    description: str = ""
    minimum_subtotal: Decimal = Field(Decimal("0"), ge=0, max_digits=10, decimal_places=2)
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    max_uses: int | None = Field(None, ge=1, le=services.MAX_USES_MAX)
    max_uses_per_customer: int | None = Field(None, ge=1, le=services.MAX_USES_PER_CUSTOMER_MAX)
    first_order_only: bool = False
    category_ids: list[Id] = Field(default_factory=list, max_length=1_000)
    brand_ids: list[Id] = Field(default_factory=list, max_length=1_000)
    product_ids: list[Id] = Field(default_factory=list, max_length=1_000)
    is_active: bool = True


class CouponPatch(Schema):
    code: str | None = Field(None, min_length=3, max_length=40)
    kind: str | None = Field(None, pattern=KIND_PATTERN)
    value: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    name: str | None = Field(None, max_length=120)
    description: str | None = None
    minimum_subtotal: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    max_uses: int | None = Field(None, ge=1, le=services.MAX_USES_MAX)
    max_uses_per_customer: int | None = Field(None, ge=1, le=services.MAX_USES_PER_CUSTOMER_MAX)
    first_order_only: bool | None = None
    category_ids: list[Id] | None = Field(None, max_length=1_000)
    brand_ids: list[Id] | None = Field(None, max_length=1_000)
    product_ids: list[Id] | None = Field(None, max_length=1_000)
    is_active: bool | None = None


class CouponUsageOut(Schema):
    coupon_id: int
    code: str
    name: str
    kind: str
    redemptions: int
    discount_total: Decimal
    revenue: Decimal


def _get(coupon_id: int) -> Coupon:
    coupon = selectors.coupon_get(coupon_id=coupon_id)
    if coupon is None:
        raise Http404
    return coupon


@manager_router.get("", response=list[CouponOut])
@paginate(ApiPageNumberPagination, page_size=50)
def coupon_list(request, filters: Query[CouponFilterIn]):
    return selectors.coupon_list(
        filters=selectors.CouponListFilters(q=filters.q, kind=filters.kind, active=filters.active)
    )


@manager_router.post("", response={201: CouponOut})
def coupon_create(request, payload: CouponIn):
    coupon_id = services.coupon_create(**payload.dict())
    return Status(201, _get(coupon_id))


@manager_router.get("/report", response=list[CouponUsageOut])
def coupon_usage_report(request, coupon_id: Id | None = None):
    return selectors.coupon_usage_report(coupon_id=coupon_id)


@manager_router.get("/{int:coupon_id}", response=CouponOut)
def coupon_get(request, coupon_id: int):
    return _get(coupon_id)


@manager_router.patch("/{int:coupon_id}", response=CouponOut)
def coupon_update(request, coupon_id: int, payload: CouponPatch):
    services.coupon_update(coupon_id=coupon_id, **payload.dict(exclude_unset=True))
    return _get(coupon_id)


@manager_router.post("/{int:coupon_id}/deactivate", response=CouponOut)
def coupon_deactivate(request, coupon_id: int):
    services.coupon_deactivate(coupon_id=coupon_id)
    return _get(coupon_id)
