"""Warehouse reads: the ETL's one public module for the reporting dashboards.

Days are shop-local dates; money comes back as ``Decimal`` euros (exact: the warehouse
keeps whole cents). Every function returns dataclasses, never querysets.
"""

import dataclasses
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from .models import (
    AggDailyDimension,
    AggDailySales,
    DimBrand,
    DimCategory,
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
    return (Decimal(cents or 0) / 100).quantize(Decimal("0.01"))


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
