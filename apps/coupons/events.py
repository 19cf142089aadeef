"""What the coupons app publishes. Money travels as a str ("12.50")."""

import dataclasses

from apps.core.events import Event


@dataclasses.dataclass(frozen=True, kw_only=True)
class CouponRedeemed(Event):
    name = "coupons.CouponRedeemed"

    coupon_id: int
    code: str
    redemption_id: int
    customer_id: int | None
    order_reference: str
    discount: str
    order_total: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class CouponReleased(Event):
    name = "coupons.CouponReleased"

    coupon_id: int
    code: str
    redemption_id: int
    customer_id: int | None
    order_reference: str
    discount: str
