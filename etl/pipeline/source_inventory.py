"""The inventory source: categories, brands and variants (dimensions, read whole: the
catalogue is small), stock movements by watermark with an overlap, and the stock snapshot
of the shop-local day the window ends on."""

from apps.inventory import selectors as inventory_selectors

from . import clean, dims, quarantine, reporting, tables, validate
from .clean import chunked
from .runner import Context
from .source_sales import BEGINNING, batch_size, overlap
from .validate import Problem

SOURCE = "inventory"


def load(ctx: Context) -> None:
    writer = ctx.writer
    writer.upsert(
        tables.CATEGORY,
        [
            (row["id"], row["parent_id"], clean.text(row["name"]), row["slug"], row["is_active"])
            for row in inventory_selectors.etl_categories()
        ],
    )
    writer.upsert(
        tables.BRAND,
        [
            (row["id"], clean.text(row["name"]), row["slug"], row["is_active"])
            for row in inventory_selectors.etl_brands()
        ],
    )
    _variants(ctx)
    _movements(ctx)


def _variants(ctx: Context) -> None:
    snapshot_day = clean.date_key(ctx.until)
    dims.ensure_dates(ctx.writer, [snapshot_day])
    for rows in chunked(inventory_selectors.etl_variants(), batch_size()):
        products, snapshot, problems = [], [], []
        for row in rows:
            price, cost = (validate.amount_or_none(row[name]) for name in ("price", "cost"))
            if price is None or cost is None or price < 0 or cost < 0:
                problems.append(
                    Problem.of(
                        validate.BAD_AMOUNT,
                        entity="variant",
                        entity_id=row["id"],
                        key=row["sku"],
                        row=row,
                    )
                )
                continue
            active = row["is_active"] and row["product_active"]
            products.append(
                (
                    row["id"],
                    row["product_id"],
                    clean.text(row["sku"]),
                    clean.text(row["product_name"]),
                    row["category_id"],
                    row["brand_id"],
                    price,
                    cost,
                    active,
                )
            )
            on_hand = row["on_hand"]
            snapshot.append(
                (snapshot_day, row["id"], row["product_id"], on_hand, cost, on_hand * cost)
            )
        ctx.writer.upsert(tables.PRODUCT, products)
        ctx.writer.upsert(tables.SNAPSHOT, snapshot)
        ctx.quarantined += quarantine.settle(
            run_id=ctx.run_id, source=SOURCE, entity_ids=[r["id"] for r in rows], problems=problems
        )
        ctx.read += len(rows)
        ctx.loaded += len(products)
        ctx.tick()
    reporting.stock(ctx.writer, snapshot_day)


def _movements(ctx: Context) -> None:
    if ctx.replay:
        movements = inventory_selectors.etl_stock_movements(
            ids=quarantine.open_entity_ids(source=SOURCE, reason=ctx.reason) or [0]
        )
    else:
        since = ctx.since - overlap() if ctx.since else BEGINNING
        movements = inventory_selectors.etl_stock_movements(since=since, until=ctx.until)
    for rows in chunked(movements, batch_size()):
        loaded, problems, days = [], [], set()
        for row in rows:
            if validate.impossible(row["created_at"], now=ctx.now) or not row["quantity"]:
                reason = validate.IMPOSSIBLE_DATE if row["quantity"] else validate.MISSING_VALUE
                problems.append(
                    Problem.of(
                        reason, entity="movement", entity_id=row["id"], key=row["id"], row=row
                    )
                )
                continue
            created = clean.utc(row["created_at"])
            day = clean.date_key(created)
            days.add(day)
            loaded.append(
                (
                    row["id"],
                    row["variant_id"],
                    row["product_id"],
                    row["kind"],
                    row["quantity"],
                    day,
                    created,
                    clean.text(row["reference"]),
                )
            )
        dims.ensure_dates(ctx.writer, days)
        ctx.writer.upsert(tables.MOVEMENT, loaded)
        ctx.quarantined += quarantine.settle(
            run_id=ctx.run_id, source=SOURCE, entity_ids=[r["id"] for r in rows], problems=problems
        )
        ctx.read += len(rows)
        ctx.loaded += len(loaded)
        ctx.tick()
