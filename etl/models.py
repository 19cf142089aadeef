"""The warehouse: a star schema on the ``warehouse`` database (see ``electropluz/routers.py``).

Dimensions are keyed by the shop's own ids (type 1: they hold current values); facts carry
those keys, money as integer cents, days as ``date_key`` (YYYYMMDD in the shop's time zone)
and the id of the run that last changed them. Natural keys are unique, so loads are upserts.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    SALES = "sales", _("Ventas")
    INVENTORY = "inventory", _("Inventario")
    USERS = "users", _("Clientes")


# --- Operations: runs, watermarks, quarantine, reconciliation ------------------------------


class Run(models.Model):
    class Kind(models.TextChoices):
        INCREMENTAL = "incremental", _("Incremental")
        FULL = "full", _("Completa")
        BACKFILL = "backfill", _("Reproceso")
        REPLAY = "replay", _("Reintento de cuarentena")

    class Status(models.TextChoices):
        RUNNING = "running", _("En curso")
        SUCCEEDED = "succeeded", _("Correcta")
        FAILED = "failed", _("Fallida")
        SKIPPED = "skipped", _("Omitida (otra en curso)")

    source = models.CharField(max_length=20, choices=Source.choices)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INCREMENTAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    window_since = models.DateTimeField(null=True, blank=True)
    window_until = models.DateTimeField(null=True, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_loaded = models.PositiveIntegerField(default=0)
    rows_quarantined = models.PositiveIntegerField(default=0)
    rows_deduplicated = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["source", "-started_at"], name="etl_run_source_idx")]
        verbose_name = _("ejecución")
        verbose_name_plural = _("ejecuciones")

    def __str__(self) -> str:
        return f"{self.source} #{self.pk} {self.status}"


class Watermark(models.Model):
    """How far a source has been loaded, and who holds its run lock (a lease on this row)."""

    source = models.CharField(max_length=20, choices=Source.choices, primary_key=True)
    value = models.DateTimeField(null=True, blank=True)
    run_id = models.BigIntegerField(null=True, blank=True)  # the run that moved it
    updated_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.BigIntegerField(null=True, blank=True)  # the run holding the lock
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.source} {self.value}"


class Quarantine(models.Model):
    """A row that broke a rule: kept whole with its reason until a later run loads it."""

    class Status(models.TextChoices):
        OPEN = "open", _("En cuarentena")
        RESOLVED = "resolved", _("Cargada después")

    run = models.ForeignKey(Run, on_delete=models.PROTECT, related_name="quarantined")
    source = models.CharField(max_length=20, choices=Source.choices)
    stage = models.CharField(max_length=20)
    entity = models.CharField(max_length=20)  # order, line, refund, movement, customer…
    entity_id = models.BigIntegerField(null=True, blank=True)  # the id a replay re-reads
    key = models.CharField(max_length=100)
    reason = models.CharField(max_length=40)
    raw = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    last_run_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_run_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["source", "status", "entity_id"], name="etl_quarantine_open_idx"),
            models.Index(fields=["reason", "status"], name="etl_quarantine_reason_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.key} {self.reason}"


class Reconciliation(models.Model):
    """One shop-local day of sales: the warehouse against the shop's own ledger."""

    class Status(models.TextChoices):
        OK = "ok", _("Cuadra")
        QUARANTINED = "quarantined", _("Cuadra salvo cuarentena")
        MISMATCH = "mismatch", _("Descuadre")

    date_key = models.IntegerField(primary_key=True)
    run_id = models.BigIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices)
    ledger_orders = models.IntegerField()
    warehouse_orders = models.IntegerField()
    ledger_keys = models.IntegerField()
    warehouse_keys = models.IntegerField()
    keys_match = models.BooleanField()
    ledger_net_cents = models.BigIntegerField()
    warehouse_net_cents = models.BigIntegerField()
    quarantined_net_cents = models.BigIntegerField(default=0)
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date_key"]

    def __str__(self) -> str:
        return f"{self.date_key} {self.status}"


# --- Dimensions ----------------------------------------------------------------------------


class DimDate(models.Model):
    date_key = models.IntegerField(primary_key=True)
    date = models.DateField(unique=True)
    year = models.SmallIntegerField()
    quarter = models.SmallIntegerField()
    month = models.SmallIntegerField()
    day = models.SmallIntegerField()
    iso_week = models.SmallIntegerField()
    weekday = models.SmallIntegerField()  # 1 Monday … 7 Sunday
    is_weekend = models.BooleanField()

    def __str__(self) -> str:
        return str(self.date)


class DimCategory(models.Model):
    category_id = models.BigIntegerField(primary_key=True)
    parent_id = models.BigIntegerField(null=True, blank=True)
    name = models.CharField(max_length=120)
    slug = models.CharField(max_length=140)
    is_active = models.BooleanField()
    run_id = models.BigIntegerField()

    def __str__(self) -> str:
        return self.name


class DimBrand(models.Model):
    brand_id = models.BigIntegerField(primary_key=True)
    name = models.CharField(max_length=120)
    slug = models.CharField(max_length=140)
    is_active = models.BooleanField()
    run_id = models.BigIntegerField()

    def __str__(self) -> str:
        return self.name


class DimProduct(models.Model):
    """One sellable variant (the grain of a sale line), with its product, category and brand."""

    variant_id = models.BigIntegerField(primary_key=True)
    product_id = models.BigIntegerField(db_index=True)
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    category_id = models.BigIntegerField(null=True, blank=True)
    brand_id = models.BigIntegerField(null=True, blank=True)
    price_cents = models.BigIntegerField()
    cost_cents = models.BigIntegerField()
    is_active = models.BooleanField()
    run_id = models.BigIntegerField()

    def __str__(self) -> str:
        return self.sku


class DimCustomer(models.Model):
    """A customer as reports need them: no name, no address, no e-mail (only its hash)."""

    customer_id = models.BigIntegerField(primary_key=True)
    email_hash = models.CharField(max_length=64)
    joined_date_key = models.IntegerField()
    province_code = models.CharField(max_length=2)
    is_active = models.BooleanField()
    run_id = models.BigIntegerField()

    def __str__(self) -> str:
        return str(self.customer_id)


class DimCoupon(models.Model):
    code = models.CharField(max_length=40, primary_key=True)
    kind = models.CharField(max_length=20)
    value_hundredths = models.BigIntegerField()  # cents, or basis points for a percentage
    run_id = models.BigIntegerField()

    def __str__(self) -> str:
        return self.code


class DimPaymentMethod(models.Model):
    code = models.CharField(max_length=10, primary_key=True)
    name = models.CharField(max_length=60)

    def __str__(self) -> str:
        return self.code


class DimProvince(models.Model):
    code = models.CharField(max_length=2, primary_key=True)  # INE code; "00" unknown
    name = models.CharField(max_length=60)

    def __str__(self) -> str:
        return self.name


# --- Facts ---------------------------------------------------------------------------------


class FactSaleLine(models.Model):
    """One order line. Revenue counts on ``paid_date_key`` (when the money came in), the order
    on ``order_date_key``. ``shipping_cents`` is the order's shipping shared over its lines, so
    the lines' ``net_cents`` add up to the order's total."""

    line_id = models.BigIntegerField(primary_key=True)
    order_id = models.BigIntegerField(db_index=True)
    order_number = models.CharField(max_length=32)
    customer_id = models.BigIntegerField(db_index=True)
    variant_id = models.BigIntegerField()
    product_id = models.BigIntegerField()
    order_date_key = models.IntegerField(db_index=True)
    paid_date_key = models.IntegerField(null=True, blank=True, db_index=True)
    status = models.CharField(max_length=20)
    payment_method = models.CharField(max_length=10)
    coupon_code = models.CharField(max_length=40, blank=True)
    province_code = models.CharField(max_length=2)
    quantity = models.IntegerField()
    refunded_quantity = models.IntegerField()
    unit_price_cents = models.BigIntegerField()
    gross_cents = models.BigIntegerField()
    discount_cents = models.BigIntegerField()
    shipping_cents = models.BigIntegerField()
    net_cents = models.BigIntegerField()
    created_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    run_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"line {self.line_id}"


class FactRefund(models.Model):
    """Money paid back, negative, dated when it was paid, shared over the order's lines."""

    refund_id = models.BigIntegerField()
    line_id = models.BigIntegerField()
    order_id = models.BigIntegerField(db_index=True)
    customer_id = models.BigIntegerField()
    variant_id = models.BigIntegerField()
    product_id = models.BigIntegerField()
    date_key = models.IntegerField(db_index=True)
    payment_method = models.CharField(max_length=10)
    coupon_code = models.CharField(max_length=40, blank=True)
    province_code = models.CharField(max_length=2)
    amount_cents = models.BigIntegerField()  # negative
    paid_at = models.DateTimeField()
    run_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["refund_id", "line_id"], name="etl_refund_line_key"),
            models.CheckConstraint(
                condition=models.Q(amount_cents__lte=0), name="etl_refund_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"refund {self.refund_id}/{self.line_id}"


class FactPayment(models.Model):
    payment_id = models.BigIntegerField(primary_key=True)
    order_id = models.BigIntegerField(db_index=True)
    method = models.CharField(max_length=10)
    status = models.CharField(max_length=10)
    amount_cents = models.BigIntegerField()
    created_date_key = models.IntegerField()
    captured_date_key = models.IntegerField(null=True, blank=True, db_index=True)
    captured_at = models.DateTimeField(null=True, blank=True)
    run_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"payment {self.payment_id}"


class FactStockMovement(models.Model):
    movement_id = models.BigIntegerField(primary_key=True)
    variant_id = models.BigIntegerField(db_index=True)
    product_id = models.BigIntegerField()
    kind = models.CharField(max_length=16)
    quantity = models.IntegerField()
    date_key = models.IntegerField(db_index=True)
    created_at = models.DateTimeField()
    reference = models.CharField(max_length=64, blank=True)
    run_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"movement {self.movement_id}"


class FactStockSnapshot(models.Model):
    """Stock of each variant at the end of a shop-local day (as read by that day's run)."""

    date_key = models.IntegerField()
    variant_id = models.BigIntegerField()
    product_id = models.BigIntegerField()
    on_hand = models.IntegerField()
    unit_cost_cents = models.BigIntegerField()
    value_cents = models.BigIntegerField()
    run_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["date_key", "variant_id"], name="etl_snapshot_key")
        ]

    # --- Daily aggregates ----------------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.date_key} {self.variant_id}"


class AggDailySales(models.Model):
    """Daily KPIs; net = gross − discounts + shipping − refunds = the ledger's day."""

    date_key = models.IntegerField(primary_key=True)
    gross_cents = models.BigIntegerField()
    discount_cents = models.BigIntegerField()
    shipping_cents = models.BigIntegerField()
    refund_cents = models.BigIntegerField()  # positive: money paid back that day
    net_cents = models.BigIntegerField()
    orders = models.IntegerField()  # orders paid that day
    units = models.IntegerField()
    average_ticket_cents = models.BigIntegerField()
    new_customers = models.IntegerField()
    returning_customers = models.IntegerField()
    orders_placed = models.IntegerField()  # orders created that day, whatever became of them
    orders_cancelled = models.IntegerField()  # of those, cancelled since
    run_id = models.BigIntegerField()

    def __str__(self) -> str:
        return str(self.date_key)


class AggDailyDimension(models.Model):
    """The same day by one dimension: ``category``, ``brand``, ``product``,
    ``payment_method``, ``coupon`` or ``province``; ``member`` is that dimension's key."""

    date_key = models.IntegerField()
    dimension = models.CharField(max_length=20)
    member = models.CharField(max_length=64)
    gross_cents = models.BigIntegerField()
    discount_cents = models.BigIntegerField()
    shipping_cents = models.BigIntegerField()
    refund_cents = models.BigIntegerField()
    net_cents = models.BigIntegerField()
    orders = models.IntegerField()
    units = models.IntegerField()
    run_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["date_key", "dimension", "member"], name="etl_agg_dimension_key"
            )
        ]
        indexes = [models.Index(fields=["dimension", "date_key"], name="etl_agg_dim_idx")]

    def __str__(self) -> str:
        return f"{self.date_key} {self.dimension} {self.member}"


# --- Aggregates for the reporting dashboards -------------------------------------------------


class AggHourlyOrders(models.Model):
    """Orders placed in one shop-local hour of a day (the weekday × hour heat map); a day's
    hours add up to its ``AggDailySales.orders_placed``."""

    date_key = models.IntegerField()
    weekday = models.SmallIntegerField()  # 1 Monday … 7 Sunday
    hour = models.SmallIntegerField()  # 0 … 23, shop time
    orders = models.IntegerField()
    run_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["date_key", "hour"], name="etl_agg_hour_key")
        ]

    def __str__(self) -> str:
        return f"{self.date_key} {self.hour:02d}h"


class AggCustomer(models.Model):
    """One customer's paid history: first and last day they paid, orders, units and net
    (refunds deducted). Customers are known by id and e-mail hash only."""

    customer_id = models.BigIntegerField(primary_key=True)
    first_date_key = models.IntegerField(db_index=True)
    last_date_key = models.IntegerField()
    orders = models.IntegerField()
    units = models.IntegerField()
    net_cents = models.BigIntegerField()
    run_id = models.BigIntegerField()

    def __str__(self) -> str:
        return str(self.customer_id)


class AggDailyStock(models.Model):
    """The stock snapshot of a day by product: units on hand and their value at cost."""

    date_key = models.IntegerField()
    product_id = models.BigIntegerField()
    category_id = models.BigIntegerField()  # 0: no category
    on_hand = models.IntegerField()
    value_cents = models.BigIntegerField()
    variants = models.IntegerField()
    variants_out = models.IntegerField()  # variants with nothing on hand
    run_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["date_key", "product_id"], name="etl_agg_stock_key")
        ]
        indexes = [models.Index(fields=["date_key", "category_id"], name="etl_agg_stock_cat_idx")]

    def __str__(self) -> str:
        return f"{self.date_key} {self.product_id}"
