"""What sales publishes. Money travels as strings ("129.90")."""

import dataclasses

from apps.core.events import Event


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderPlaced(Event):
    name = "sales.OrderPlaced"
    order_id: int
    number: str
    customer_id: int
    total: str
    payment_method: str
    coupon_code: str
    lines: list  # [{"variant_id", "product_id", "sku", "quantity", "unit_price"}]
    ip: str | None = None  # where it was placed from (for the activity log)
    user_agent: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderStatusChanged(Event):
    name = "sales.OrderStatusChanged"
    order_id: int
    number: str
    customer_id: int
    from_status: str
    to_status: str
    note: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderRefunded(Event):
    name = "sales.OrderRefunded"
    order_id: int
    number: str
    customer_id: int
    amount: str
    restocked: bool
