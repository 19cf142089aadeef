"""The warehouse tables the writer fills: columns in the order the stages produce them.

Every table's last column is ``run_id``, added by the writer.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    columns: tuple[str, ...]  # without run_id
    datetimes: tuple[str, ...] = ()

    @property
    def all_columns(self) -> tuple[str, ...]:
        return (*self.columns, "run_id") if self.has_run else self.columns

    @property
    def has_run(self) -> bool:
        return self.name not in STATIC

    @property
    def datetime_positions(self) -> tuple[int, ...]:
        return tuple(self.columns.index(name) for name in self.datetimes)


STATIC = {"etl_dimdate", "etl_dimpaymentmethod", "etl_dimprovince"}

SALE_LINE = Table(
    "etl_factsaleline",
    ("line_id",),
    (
        "line_id", "order_id", "order_number", "customer_id", "variant_id", "product_id",
        "order_date_key", "paid_date_key", "status", "payment_method", "coupon_code",
        "province_code", "quantity", "refunded_quantity", "unit_price_cents", "gross_cents",
        "discount_cents", "shipping_cents", "net_cents", "created_at", "paid_at",
    ),
    ("created_at", "paid_at"),
)  # fmt: skip
REFUND = Table(
    "etl_factrefund",
    ("refund_id", "line_id"),
    (
        "refund_id", "line_id", "order_id", "customer_id", "variant_id", "product_id",
        "date_key", "payment_method", "coupon_code", "province_code", "amount_cents", "paid_at",
    ),
    ("paid_at",),
)  # fmt: skip
PAYMENT = Table(
    "etl_factpayment",
    ("payment_id",),
    (
        "payment_id", "order_id", "method", "status", "amount_cents", "created_date_key",
        "captured_date_key", "captured_at",
    ),
    ("captured_at",),
)  # fmt: skip
MOVEMENT = Table(
    "etl_factstockmovement",
    ("movement_id",),
    (
        "movement_id", "variant_id", "product_id", "kind", "quantity", "date_key",
        "created_at", "reference",
    ),
    ("created_at",),
)  # fmt: skip
SNAPSHOT = Table(
    "etl_factstocksnapshot",
    ("date_key", "variant_id"),
    ("date_key", "variant_id", "product_id", "on_hand", "unit_cost_cents", "value_cents"),
)
CATEGORY = Table(
    "etl_dimcategory", ("category_id",), ("category_id", "parent_id", "name", "slug", "is_active")
)
BRAND = Table("etl_dimbrand", ("brand_id",), ("brand_id", "name", "slug", "is_active"))
PRODUCT = Table(
    "etl_dimproduct",
    ("variant_id",),
    (
        "variant_id", "product_id", "sku", "name", "category_id", "brand_id", "price_cents",
        "cost_cents", "is_active",
    ),
)  # fmt: skip
CUSTOMER = Table(
    "etl_dimcustomer",
    ("customer_id",),
    ("customer_id", "email_hash", "joined_date_key", "province_code", "is_active"),
)
COUPON = Table("etl_dimcoupon", ("code",), ("code", "kind", "value_hundredths"))
DATE = Table(
    "etl_dimdate",
    ("date_key",),
    (
        "date_key", "date", "year", "quarter", "month", "day", "iso_week", "weekday",
        "is_weekend",
    ),
)  # fmt: skip
PAYMENT_METHOD = Table("etl_dimpaymentmethod", ("code",), ("code", "name"))
PROVINCE = Table("etl_dimprovince", ("code",), ("code", "name"))
RECONCILIATION = Table(
    "etl_reconciliation",
    ("date_key",),
    (
        "date_key", "status", "ledger_orders", "warehouse_orders", "ledger_keys",
        "warehouse_keys", "keys_match", "ledger_net_cents", "warehouse_net_cents",
        "quarantined_net_cents", "checked_at",
    ),
    ("checked_at",),
)  # fmt: skip

FACTS = (SALE_LINE, REFUND, PAYMENT, MOVEMENT, SNAPSHOT)
