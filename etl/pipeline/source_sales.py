"""The sales source: orders with their lines, payments, refunds and ledger, read through
``sales.selectors`` by watermark (with an overlap), loaded as sale-line, refund and payment
facts; then the touched days are re-aggregated and reconciled against the ledger."""

from datetime import UTC, datetime, timedelta

from django.conf import settings

from apps.inventory import selectors as inventory_selectors
from apps.sales import selectors as sales_selectors

from . import (
    aggregate,
    clean,
    dims,
    quarantine,
    reconcile,
    reporting,
    sales,
    sales_sql,
    tables,
    validate,
)
from .clean import chunked
from .load import Writer
from .runner import Context

SOURCE = "sales"
ANALYZE_AFTER = 20_000  # orders: a load this big refreshes the planner's statistics
BEGINNING = datetime(2000, 1, 1, tzinfo=UTC)


def overlap() -> timedelta:
    return timedelta(minutes=settings.ETL_OVERLAP_MINUTES)


def batch_size() -> int:
    return settings.ETL_BATCH_SIZE


def batches(ctx: Context):
    """The window's orders in batches; for a replay, the orders the quarantine holds."""
    if ctx.replay:
        held = quarantine.open_entity_ids(source=SOURCE, reason=ctx.reason)
        for ids in chunked(held, batch_size()):
            yield sales_selectors.etl_order_batch(order_ids=ids)
        return
    since = ctx.since - overlap() if ctx.since else BEGINNING
    yield from sales_selectors.etl_order_batches(
        since=since, until=ctx.until, batch_size=batch_size()
    )


def set_based(ctx: Context) -> bool:
    """Whether this run reads and shapes the window in SQL (PostgreSQL on both sides)."""
    return (
        settings.ETL_SET_BASED
        and not ctx.replay
        and ctx.writer.vendor == "postgresql"
        and sales_selectors.etl_copy_supported()
    )


def load(ctx: Context) -> None:
    dims.ensure_static(ctx.writer)
    if set_based(ctx):
        days, reconcile_days, coupons = load_set_based(ctx)
    else:
        days, reconcile_days, coupons = load_batches(ctx, batches(ctx))
    dims.load_coupons(ctx.writer, coupons)
    dims.ensure_dates(ctx.writer, days | reconcile_days)
    aggregate.aggregate_days(ctx.writer, days)
    reporting.sales_days(ctx.writer, days)
    reconcile.reconcile_days(ctx.writer, days | reconcile_days)


def load_set_based(ctx: Context) -> tuple[set, set, set]:
    """The window copied from the shop into staging tables and loaded in SQL; the suspect
    orders then go through the Python stages (which quarantine them or load them)."""
    since = ctx.since - overlap() if ctx.since else BEGINNING
    with sales_selectors.etl_order_copy(since=since, until=ctx.until) as stream:
        sales_sql.stage(ctx.writer, stream)
    params = {
        "zone": str(clean.shop_zone()),
        "now": ctx.now,
        "earliest": validate.EARLIEST + timedelta(days=1),
        "latest": ctx.now + validate.FUTURE_SLACK - timedelta(hours=1),
    }
    found = sales_sql.load_staged(ctx.writer, params=params)
    if found["loaded"] >= ANALYZE_AFTER:  # fresh statistics, or the next small run scans all
        for table in (tables.SALE_LINE, tables.REFUND, tables.PAYMENT):
            ctx.writer.execute(f"ANALYZE {table.name}")
    ctx.read += found["read"]
    ctx.loaded += found["loaded"]
    ctx.tick()
    suspects = (
        sales_selectors.etl_order_batch(order_ids=ids)
        for ids in chunked(found["suspects"], batch_size())
    )
    days, reconcile_days, coupons = load_batches(ctx, suspects)
    return (
        days | found["days"],
        reconcile_days | found["ledger_days"],
        coupons | found["coupons"],
    )


def load_batches(ctx: Context, order_batches) -> tuple[set, set, set]:
    """Validate, clean, shape and write batches of orders in Python (any database)."""
    days, reconcile_days, coupons = set(), set(), set()
    known, asked = set(), set()  # variants the catalogue knows, and all those asked about
    for batch in order_batches:
        new = {line["variant_id"] for line in batch.lines if line.get("variant_id")} - asked
        if new:
            known |= inventory_selectors.etl_variant_ids_existing(variant_ids=new)
            asked |= new
        rows = sales.transform(batch, known_variants=known, now=ctx.now)
        old_days = write_batch(ctx.writer, rows)
        ctx.quarantined += quarantine.settle(
            run_id=ctx.run_id,
            source=SOURCE,
            entity_ids=[order["id"] for order in batch.orders],
            problems=rows.problems,
        )
        ctx.read += len(batch.orders)
        ctx.loaded += len(rows.loaded_orders)
        ctx.deduplicated += rows.deduplicated
        days |= rows.date_keys | old_days
        reconcile_days |= reconcile.ledger_days(batch.ledger)
        coupons |= rows.coupon_codes
        ctx.tick()
    return days, reconcile_days, coupons


def write_batch(writer: Writer, rows: sales.SalesRows) -> set[int]:
    """Write one batch; returns the days the replaced rows used to fall on (to re-aggregate)."""
    order_ids = sorted(rows.loaded_orders | rows.quarantined_orders)
    old_days = set()
    for start in range(0, len(order_ids), 500):
        clause, params = writer.in_list("order_id", order_ids[start : start + 500])
        for a, b in writer.fetch(
            f"SELECT DISTINCT order_date_key, paid_date_key FROM etl_factsaleline WHERE {clause} "  # noqa: S608
            f"UNION SELECT DISTINCT date_key, date_key FROM etl_factrefund WHERE {clause}",
            params * 2,
        ):
            old_days.update(day for day in (a, b) if day)
    gone = sorted(rows.quarantined_orders)  # a record now broken leaves the warehouse whole
    for table in ("etl_factsaleline", "etl_factrefund", "etl_factpayment"):
        writer.delete_where_in(table, "order_id", gone)
    writer.upsert(tables.SALE_LINE, rows.sale_lines)
    writer.upsert(tables.REFUND, rows.refunds)
    writer.upsert(tables.PAYMENT, rows.payments)
    return old_days
