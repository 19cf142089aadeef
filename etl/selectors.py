"""Warehouse reads: the ETL's one public module for the reporting dashboards.

Days are shop-local dates; money comes back as ``Decimal`` euros (exact: the warehouse
keeps whole cents). Every function returns dataclasses, never querysets.
"""

import dataclasses
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from .models import (
    AggCustomer,
    AggDailyDimension,
    AggDailySales,
    AggDailyStock,
    AggHourlyOrders,
    DimBrand,
    DimCategory,
    DimCustomer,
    DimPaymentMethod,
    DimProduct,
    DimProvince,
    Quarantine,
    Reconciliation,
    Run,
    Watermark,
)
from .pipeline.clean import day_key, key_date

DB = "warehouse"
DIMENSIONS = ("category", "brand", "product", "payment_method", "coupon", "province")


def euros(cents: int | None) -> Decimal:
    return (Decimal(cents or 0) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclasses.dataclass(frozen=True)
class DailyKpi:
    day: date
    gross: Decimal
    discounts: Decimal
    shipping: Decimal
    refunds: Decimal
    net: Decimal
    orders: int
    units: int
    average_ticket: Decimal
    new_customers: int
    returning_customers: int
    orders_placed: int
    orders_cancelled: int


@dataclasses.dataclass(frozen=True)
class DimensionKpi:
    dimension: str
    member: str
    label: str
    gross: Decimal
    discounts: Decimal
    shipping: Decimal
    refunds: Decimal
    net: Decimal
    orders: int
    units: int


def daily_kpis(*, since: date, until: date) -> list[DailyKpi]:
    """One row per day with sales in ``[since, until]`` (both shop-local dates, inclusive)."""
    rows = AggDailySales.objects.using(DB).filter(
        date_key__gte=day_key(since), date_key__lte=day_key(until)
    )
    return [
        DailyKpi(
            day=key_date(row.date_key),
            gross=euros(row.gross_cents),
            discounts=euros(row.discount_cents),
            shipping=euros(row.shipping_cents),
            refunds=euros(row.refund_cents),
            net=euros(row.net_cents),
            orders=row.orders,
            units=row.units,
            average_ticket=euros(row.average_ticket_cents),
            new_customers=row.new_customers,
            returning_customers=row.returning_customers,
            orders_placed=row.orders_placed,
            orders_cancelled=row.orders_cancelled,
        )
        for row in rows.order_by("date_key")
    ]


def _labels(dimension: str, members: list[str]) -> dict[str, str]:
    ids = [int(m) for m in members if m.isdigit()]
    if dimension == "category":
        return {str(c.pk): c.name for c in DimCategory.objects.using(DB).filter(pk__in=ids)}
    if dimension == "brand":
        return {str(b.pk): b.name for b in DimBrand.objects.using(DB).filter(pk__in=ids)}
    if dimension == "product":
        rows = DimProduct.objects.using(DB).filter(product_id__in=ids).order_by("variant_id")
        return {str(p.product_id): p.name for p in reversed(rows)}
    if dimension == "province":
        return dict(DimProvince.objects.using(DB).values_list("code", "name"))
    if dimension == "payment_method":
        return dict(DimPaymentMethod.objects.using(DB).values_list("code", "name"))
    return {}


def sales_by_dimension(
    *, dimension: str, since: date, until: date, limit: int | None = None
) -> list[DimensionKpi]:
    """Totals per member of one dimension over ``[since, until]``, by net sales (largest first)."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    rows = (
        AggDailyDimension.objects.using(DB)
        .filter(dimension=dimension, date_key__gte=day_key(since), date_key__lte=day_key(until))
        .values("member")
        .annotate(
            gross=Sum("gross_cents"),
            discounts=Sum("discount_cents"),
            shipping=Sum("shipping_cents"),
            refunds=Sum("refund_cents"),
            net=Sum("net_cents"),
            orders=Sum("orders"),
            units=Sum("units"),
        )
        .order_by("-net", "member")
    )
    rows = list(rows[:limit] if limit else rows)
    labels = _labels(dimension, [row["member"] for row in rows])
    return [
        DimensionKpi(
            dimension=dimension,
            member=row["member"],
            label=labels.get(row["member"], row["member"] or "—"),
            gross=euros(row["gross"]),
            discounts=euros(row["discounts"]),
            shipping=euros(row["shipping"]),
            refunds=euros(row["refunds"]),
            net=euros(row["net"]),
            orders=int(row["orders"]),
            units=int(row["units"]),
        )
        for row in rows
    ]


# --- Operations: the ETL page and `etl status` -----------------------------------------------


@dataclasses.dataclass(frozen=True)
class SourceStatus:
    source: str
    watermark: datetime | None
    last_run_id: int | None
    last_status: str
    last_finished_at: datetime | None
    open_quarantine: int


@dataclasses.dataclass(frozen=True)
class RunInfo:
    id: int
    source: str
    kind: str
    status: str
    window_since: datetime | None
    window_until: datetime | None
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    duration_ms: int | None
    error: str


@dataclasses.dataclass(frozen=True)
class ReconciliationInfo:
    day: date
    status: str
    ledger_orders: int
    warehouse_orders: int
    keys_match: bool
    ledger_net: Decimal
    warehouse_net: Decimal
    quarantined_net: Decimal


def source_status() -> list[SourceStatus]:
    marks = {m.source: m for m in Watermark.objects.using(DB).all()}
    held = dict(
        Quarantine.objects.using(DB)
        .filter(status=Quarantine.Status.OPEN)
        .values("source")
        .annotate(n=Count("pk"))
        .values_list("source", "n")
    )
    result = []
    for source in ("users", "inventory", "sales"):
        last = Run.objects.using(DB).filter(source=source).order_by("-pk").first()
        mark = marks.get(source)
        result.append(
            SourceStatus(
                source=source,
                watermark=mark.value if mark else None,
                last_run_id=last.pk if last else None,
                last_status=last.status if last else "",
                last_finished_at=last.finished_at if last else None,
                open_quarantine=held.get(source, 0),
            )
        )
    return result


def run_list(*, source: str = "", limit: int = 20) -> list[RunInfo]:
    runs = Run.objects.using(DB).order_by("-pk")
    if source:
        runs = runs.filter(source=source)
    return [
        RunInfo(
            r.pk,
            r.source,
            r.kind,
            r.status,
            r.window_since,
            r.window_until,
            r.rows_read,
            r.rows_loaded,
            r.rows_quarantined,
            r.duration_ms,
            r.error,
        )
        for r in runs[:limit]
    ]


def quarantine_by_reason(*, source: str = "") -> dict[tuple[str, str], int]:
    rows = Quarantine.objects.using(DB).filter(status=Quarantine.Status.OPEN)
    if source:
        rows = rows.filter(source=source)
    counted = rows.values("source", "reason").annotate(n=Count("pk")).order_by("source", "reason")
    return {(row["source"], row["reason"]): row["n"] for row in counted}


def reconciliation_list(*, since: date, until: date) -> list[ReconciliationInfo]:
    rows = Reconciliation.objects.using(DB).filter(
        date_key__gte=day_key(since), date_key__lte=day_key(until)
    )
    return [
        ReconciliationInfo(
            key_date(r.date_key),
            r.status,
            r.ledger_orders,
            r.warehouse_orders,
            r.keys_match,
            euros(r.ledger_net_cents),
            euros(r.warehouse_net_cents),
            euros(r.quarantined_net_cents),
        )
        for r in rows.order_by("date_key")
    ]


@dataclasses.dataclass(frozen=True)
class SourceHealth:
    """What monitoring watches per source: freshness, failure, and (sales) reconciliation."""

    source: str
    last_success_at: datetime | None
    last_run_failed: bool
    reconciliation_difference: Decimal  # euros the last week's mismatched days are off by


def source_health(*, reconciled_since: date) -> list[SourceHealth]:
    """Per source: when a run last succeeded, whether the latest run failed, and for sales
    the absolute difference of the days since ``reconciled_since`` that did not reconcile."""
    succeeded = dict(
        Run.objects.using(DB)
        .filter(status=Run.Status.SUCCEEDED)
        .values("source")
        .annotate(at=Max("finished_at"))
        .values_list("source", "at")
    )
    mismatched = Reconciliation.objects.using(DB).filter(
        date_key__gte=day_key(reconciled_since), status=Reconciliation.Status.MISMATCH
    )
    difference = sum(
        (
            abs(r.ledger_net_cents - r.warehouse_net_cents - r.quarantined_net_cents)
            for r in mismatched
        ),
        0,
    )
    result = []
    for source in ("users", "inventory", "sales"):
        latest = (
            Run.objects.using(DB)
            .filter(source=source)
            .exclude(status=Run.Status.SKIPPED)
            .order_by("-pk")
            .values_list("status", flat=True)
            .first()
        )
        result.append(
            SourceHealth(
                source=source,
                last_success_at=succeeded.get(source),
                last_run_failed=latest == Run.Status.FAILED,
                reconciliation_difference=euros(difference if source == "sales" else 0),
            )
        )
    return result


# --- The reporting dashboards: filtered days, hours, stock, customers, freshness -------------


@dataclasses.dataclass(frozen=True)
class DimensionDay:
    """One day of one member of a dimension (the dashboards' filtered series)."""

    day: date
    gross: Decimal
    discounts: Decimal
    shipping: Decimal
    refunds: Decimal
    net: Decimal
    orders: int
    units: int


@dataclasses.dataclass(frozen=True)
class Member:
    key: str
    label: str


@dataclasses.dataclass(frozen=True)
class ProductSales:
    product_id: int
    name: str
    category_id: int
    brand_id: int
    gross: Decimal
    discounts: Decimal
    refunds: Decimal
    net: Decimal
    orders: int
    units: int


@dataclasses.dataclass(frozen=True)
class ProductStock:
    product_id: int
    name: str
    category_id: int
    on_hand: int
    value: Decimal
    variants: int
    variants_out: int


@dataclasses.dataclass(frozen=True)
class CustomerHistory:
    customer_id: int
    label: str  # a pseudonym from the e-mail hash: no name, no e-mail
    first_day: date
    last_day: date
    orders: int
    units: int
    net: Decimal


def dimension_daily(*, dimension: str, member: str, since: date, until: date) -> list[DimensionDay]:
    """The days of one member of a dimension (a category, a brand, a payment method…)."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    rows = AggDailyDimension.objects.using(DB).filter(
        dimension=dimension,
        member=member,
        date_key__gte=day_key(since),
        date_key__lte=day_key(until),
    )
    return [
        DimensionDay(
            key_date(r.date_key),
            euros(r.gross_cents),
            euros(r.discount_cents),
            euros(r.shipping_cents),
            euros(r.refund_cents),
            euros(r.net_cents),
            r.orders,
            r.units,
        )
        for r in rows.order_by("date_key")
    ]


def filter_members() -> dict[str, list[Member]]:
    """What the dashboards' filters offer: categories, brands and payment methods."""
    return {
        "category": [
            Member(str(pk), name)
            for pk, name in DimCategory.objects.using(DB).order_by("name").values_list("pk", "name")
        ],
        "brand": [
            Member(str(pk), name)
            for pk, name in DimBrand.objects.using(DB).order_by("name").values_list("pk", "name")
        ],
        "payment_method": [
            Member(code, name)
            for code, name in DimPaymentMethod.objects.using(DB)
            .order_by("code")
            .values_list("code", "name")
        ],
    }


def _products(*, category_id=None, brand_id=None) -> dict[int, tuple[str, int, int, bool]]:
    """product id: (name, category id, brand id, active), from its latest variant."""
    catalogue = DimProduct.objects.using(DB).order_by("product_id", "-variant_id")
    if category_id is not None:
        catalogue = catalogue.filter(category_id=category_id)
    if brand_id is not None:
        catalogue = catalogue.filter(brand_id=brand_id)
    products: dict = {}
    for pid, *values in catalogue.values_list(
        "product_id", "name", "category_id", "brand_id", "is_active"
    ):
        products.setdefault(pid, (values[0], values[1] or 0, values[2] or 0, values[3]))
    return products


def product_sales(
    *,
    since: date,
    until: date,
    category_id: int | None = None,
    brand_id: int | None = None,
    include_unsold: bool = False,
) -> list[ProductSales]:
    """Sales per product over ``[since, until]`` (largest net first), optionally of one
    category or brand; ``include_unsold`` adds the active products that sold nothing."""
    products = _products(category_id=category_id, brand_id=brand_id)
    rows = (
        AggDailyDimension.objects.using(DB)
        .filter(dimension="product", date_key__gte=day_key(since), date_key__lte=day_key(until))
        .values("member")
        .annotate(
            gross=Sum("gross_cents"),
            discounts=Sum("discount_cents"),
            refunds=Sum("refund_cents"),
            net=Sum("net_cents"),
            orders=Sum("orders"),
            units=Sum("units"),
        )
    )
    filtered = category_id is not None or brand_id is not None
    result, seen = [], set()
    for row in rows:
        pid = int(row["member"])
        if filtered and pid not in products:
            continue
        name, cat, brand, _active = products.get(pid, (row["member"], 0, 0, False))
        seen.add(pid)
        money = (euros(row[k]) for k in ("gross", "discounts", "refunds", "net"))
        result.append(ProductSales(pid, name, cat, brand, *money, row["orders"], row["units"]))
    if include_unsold:
        zero = euros(0)
        result += [
            ProductSales(pid, name, cat, brand, zero, zero, zero, zero, 0, 0)
            for pid, (name, cat, brand, active) in products.items()
            if active and pid not in seen
        ]
    return sorted(result, key=lambda p: (-p.net, -p.units, p.product_id))


def orders_by_weekday_hour(*, since: date, until: date) -> dict[tuple[int, int], int]:
    """Orders placed over ``[since, until]`` by (weekday 1 Monday … 7 Sunday, shop hour)."""
    rows = (
        AggHourlyOrders.objects.using(DB)
        .filter(date_key__gte=day_key(since), date_key__lte=day_key(until))
        .values("weekday", "hour")
        .annotate(n=Sum("orders"))
    )
    return {(row["weekday"], row["hour"]): int(row["n"]) for row in rows}


def stock_by_product(*, day: date) -> tuple[date | None, list[ProductStock]]:
    """The latest stock snapshot on or before ``day`` by product, and the day it is of."""
    latest = (
        AggDailyStock.objects.using(DB)
        .filter(date_key__lte=day_key(day))
        .aggregate(last=Max("date_key"))["last"]
    )
    if latest is None:
        return None, []
    names = {pid: name for pid, (name, *_rest) in _products().items()}
    rows = AggDailyStock.objects.using(DB).filter(date_key=latest).order_by("product_id")
    return key_date(latest), [
        ProductStock(
            r.product_id,
            names.get(r.product_id, str(r.product_id)),
            r.category_id,
            r.on_hand,
            euros(r.value_cents),
            r.variants,
            r.variants_out,
        )
        for r in rows
    ]


def customer_cohort(*, since: date, until: date) -> tuple[int, int]:
    """Customers whose first paid order fell in ``[since, until]``, and how many of them
    have paid for more than one order (to date)."""
    cohort = AggCustomer.objects.using(DB).filter(
        first_date_key__gte=day_key(since), first_date_key__lte=day_key(until)
    )
    counted = cohort.aggregate(n=Count("pk"), repeat=Count("pk", filter=Q(orders__gte=2)))
    return counted["n"], counted["repeat"]


def top_customers(*, limit: int = 20) -> list[CustomerHistory]:
    """The customers with the largest net spend to date, known by a pseudonym."""
    rows = list(AggCustomer.objects.using(DB).order_by("-net_cents", "customer_id")[:limit])
    hashes = dict(
        DimCustomer.objects.using(DB)
        .filter(pk__in=[r.customer_id for r in rows])
        .values_list("pk", "email_hash")
    )
    return [
        CustomerHistory(
            r.customer_id,
            f"C-{(hashes.get(r.customer_id) or '')[:8] or r.customer_id}",
            key_date(r.first_date_key),
            key_date(r.last_date_key),
            r.orders,
            r.units,
            euros(r.net_cents),
        )
        for r in rows
    ]


# --- The ETL page ------------------------------------------------------------------------------

SOURCES = ("users", "inventory", "sales")
EXPECTED_EVERY = {"sales": timedelta(hours=6), "inventory": timedelta(days=1), "users": timedelta(days=1)}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class SourceFreshness:
    source: str
    watermark: datetime | None  # loaded up to here
    age: timedelta | None  # how old the newest loaded data may be
    expected_every: timedelta
    stale: bool  # older than two scheduled runs (or never loaded)
    last_status: str
    last_finished_at: datetime | None
    last_error: str
    open_quarantine: int


@dataclasses.dataclass(frozen=True)
class QuarantineRow:
    id: int
    run_id: int
    source: str
    stage: str
    entity: str
    key: str
    reason: str
    raw: dict
    created_at: datetime
    last_run_id: int


def source_freshness(*, now: datetime | None = None) -> list[SourceFreshness]:
    """Each source: how far it is loaded, how old that is, and whether that is too old."""
    now = now or timezone.now()
    marks = {m.source: m.value for m in Watermark.objects.using(DB).all()}
    held = dict(
        Quarantine.objects.using(DB)
        .filter(status=Quarantine.Status.OPEN)
        .values("source")
        .annotate(n=Count("pk"))
        .values_list("source", "n")
    )
    last = {
        source: Run.objects.using(DB).filter(source=source).order_by("-pk").first()
        for source in SOURCES
    }
    result = []
    for source in SOURCES:
        mark, run = marks.get(source), last.get(source)
        age = now - mark if mark else None
        every = EXPECTED_EVERY[source]
        result.append(
            SourceFreshness(
                source=source,
                watermark=mark,
                age=age,
                expected_every=every,
                stale=age is None or age > 2 * every,
                last_status=run.status if run else "",
                last_finished_at=run.finished_at if run else None,
                last_error=run.error if run else "",
                open_quarantine=held.get(source, 0),
            )
        )
    return result


def quarantine_rows(*, source: str = "", reason: str = "", limit: int = 50) -> list[QuarantineRow]:
    """Open quarantine rows, newest first, with the raw row as it was read."""
    rows = Quarantine.objects.using(DB).filter(status=Quarantine.Status.OPEN)
    if source:
        rows = rows.filter(source=source)
    if reason:
        rows = rows.filter(reason=reason)
    return [
        QuarantineRow(
            r.pk, r.run_id, r.source, r.stage, r.entity, r.key, r.reason, r.raw, r.created_at,
            r.last_run_id,
        )
        for r in rows.order_by("-pk")[:limit]
    ]  # fmt: skip


def _reconciliation_info(r: Reconciliation) -> ReconciliationInfo:
    return ReconciliationInfo(
        key_date(r.date_key),
        r.status,
        r.ledger_orders,
        r.warehouse_orders,
        r.keys_match,
        euros(r.ledger_net_cents),
        euros(r.warehouse_net_cents),
        euros(r.quarantined_net_cents),
    )


def reconciliation_recent(*, limit: int = 30, mismatches_only: bool = False) -> list[ReconciliationInfo]:  # fmt: skip
    """The latest reconciled days (newest first), or only those that do not match."""
    rows = Reconciliation.objects.using(DB).order_by("-date_key")
    if mismatches_only:
        rows = rows.filter(status=Reconciliation.Status.MISMATCH)
    return [_reconciliation_info(r) for r in rows[:limit]]
