"""The sales source, set-based (PostgreSQL shop and warehouse): the window's five streams are
copied byte for byte from the shop (``sales.selectors.etl_order_copy``) into staging tables,
and validation, shaping and the upserts are SQL over them.

The SQL rules are a conservative net, not a second rulebook: an order that might break any
rule of ``sales.py`` (or needs a normalisation SQL does not do: spaces in its number, a
coupon code not yet upper case, a province told by its name) is *suspect* and goes through
the Python stages, one batch of suspects at a time, which quarantine it with the reason or
load it. Everything else is shaped exactly as ``sales._shape`` does (cents, shop-local day
keys, shipping and refunds shared by largest remainder, ties to the earlier line), so both
ways write the same rows; the test suite runs the golden, dirty and idempotency datasets
through both.
"""

import contextlib

from apps.sales import selectors as sales_selectors

from . import tables
from .load import Writer

TYPES = {
    "id": "bigint", "order_id": "bigint", "customer_id": "bigint", "variant_id": "bigint",
    "product_id": "bigint", "quantity": "bigint", "refunded_quantity": "bigint",
    "subtotal": "numeric", "discount": "numeric", "shipping": "numeric", "total": "numeric",
    "refunded": "numeric", "unit_price": "numeric", "line_total": "numeric",
    "amount": "numeric", "created_at": "timestamptz", "updated_at": "timestamptz",
    "paid_at": "timestamptz", "captured_at": "timestamptz", "completed_at": "timestamptz",
    "at": "timestamptz",
}  # fmt: skip
STAGE = {name: f"etl_stg_{name}" for name in sales_selectors.ETL_COPY_STREAMS}
ANALYZE_OVER = 5000  # staged rows: more than this and the planner gets statistics


def _day(column: str) -> str:
    return f"to_char({column} AT TIME ZONE %(zone)s, 'YYYYMMDD')::int"


def stage(writer: Writer, stream) -> None:
    """Create the staging tables and copy the shop's streams into them."""
    with writer.connection.cursor() as cursor:
        for name, (_model, fields, _key) in sales_selectors.ETL_COPY_STREAMS.items():
            columns = ", ".join(f"{f} {TYPES.get(f, 'text')}" for f in fields)
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE[name]}")
            cursor.execute(f"CREATE TEMP TABLE {STAGE[name]} ({columns}) ON COMMIT DROP")
            with cursor.cursor.copy(f"COPY {STAGE[name]} FROM STDIN") as copy:
                for chunk in stream(name):
                    copy.write(chunk)
            if cursor.cursor.rowcount > ANALYZE_OVER:  # a small window plans well without
                cursor.execute(f"ANALYZE {STAGE[name]}")


SUSPECT = """
CREATE TEMP TABLE etl_stg_suspect ON COMMIT DROP AS
SELECT o.id FROM etl_stg_orders o WHERE
    o.id IS NULL OR o.customer_id IS NULL OR o.customer_id = 0
    OR o.number IS NULL OR o.number !~ '^[^[:space:]]+$'
    OR o.status IS NULL OR o.payment_method IS NULL
    OR o.created_at IS NULL OR o.created_at < %(earliest)s OR o.created_at > %(latest)s
    OR (o.paid_at IS NOT NULL AND (o.paid_at < o.created_at OR o.paid_at > %(latest)s))
    OR o.subtotal IS NULL OR o.discount IS NULL OR o.shipping IS NULL OR o.total IS NULL
    OR o.refunded IS NULL OR least(o.subtotal, o.discount, o.shipping, o.total, o.refunded) < 0
    OR o.total <> o.subtotal - o.discount + o.shipping OR o.refunded > o.total
    OR coalesce(o.coupon_code, '') !~ '^[A-Z0-9_-]*$'
    OR NOT ((o.ship_country = 'ES' AND o.ship_postal_code ~ '^[0-9]{5}$'
             AND left(o.ship_postal_code, 2) BETWEEN '01' AND '52')
            OR (o.ship_country ~ '^[A-Z]{2}$' AND o.ship_country <> 'ES'))
UNION
SELECT o.id FROM etl_stg_orders o LEFT JOIN (
    SELECT l.order_id, sum(l.line_total) AS subtotal, sum(l.discount) AS discount,
           bool_or(l.id IS NULL OR l.variant_id IS NULL OR l.product_id IS NULL
               OR l.quantity IS NULL OR l.quantity <= 0 OR l.unit_price IS NULL
               OR l.line_total IS NULL OR l.discount IS NULL
               OR least(l.unit_price, l.line_total, l.discount) < 0
               OR l.unit_price * l.quantity <> l.line_total OR l.discount > l.line_total
               OR p.variant_id IS NULL) AS bad
    FROM etl_stg_lines l LEFT JOIN etl_dimproduct p ON p.variant_id = l.variant_id
    GROUP BY l.order_id
) g ON g.order_id = o.id
WHERE g.order_id IS NULL OR g.bad OR g.subtotal <> o.subtotal OR g.discount <> o.discount
UNION
SELECT r.order_id FROM etl_stg_refunds r JOIN etl_stg_orders o ON o.id = r.order_id
WHERE r.id IS NULL OR r.amount IS NULL OR r.amount <= 0
    OR (r.status = 'succeeded' AND (r.completed_at IS NULL OR r.completed_at < o.created_at
        OR r.completed_at < %(earliest)s OR r.completed_at > %(latest)s))
UNION
SELECT p.order_id FROM etl_stg_payments p
WHERE p.id IS NULL OR p.amount IS NULL OR p.created_at IS NULL OR p.method IS NULL
    OR p.status IS NULL
"""

# Shares ``{total}`` over rows by ``{weight}`` like ``clean.allocate``: whole cents that add
# up exactly, the remainder to the largest remainders, ties to the earlier line. (Every
# operand is bigint: ``sum(bigint)`` is numeric in PostgreSQL, and a numeric division would
# not be the integer one.)
ALLOCATE = """
SELECT a.*, a.base_share + CASE WHEN row_number() OVER (
           PARTITION BY a.{group} ORDER BY a.remainder DESC, a.line_id) <= a.leftover
       THEN 1 ELSE 0 END AS share
FROM (
    SELECT w.*, ({total} * w.wt) / w.whole AS base_share, mod({total} * w.wt, w.whole) AS remainder,
           {total} - sum(({total} * w.wt) / w.whole) OVER (PARTITION BY w.{group}) AS leftover
    FROM (
        SELECT x.*, CASE WHEN sum(greatest({weight}, 0)) OVER g = 0 THEN 1
                         ELSE greatest({weight}, 0) END AS wt,
               CASE WHEN sum(greatest({weight}, 0)) OVER g = 0 THEN count(*) OVER g
                    ELSE sum(greatest({weight}, 0)) OVER g END::bigint AS whole
        FROM ({rows}) x WINDOW g AS (PARTITION BY x.{group})
    ) w
) a"""

LINES = f"""
SELECT l.id AS line_id, o.id AS order_id, o.number AS order_number, o.customer_id,
       l.variant_id, l.product_id, {_day("o.created_at")} AS order_date_key,
       {_day("o.paid_at")} AS paid_date_key, o.status, o.payment_method,
       coalesce(o.coupon_code, '') AS coupon_code,
       CASE WHEN o.ship_country = 'ES' THEN left(o.ship_postal_code, 2) ELSE '99' END
           AS province_code,
       l.quantity, coalesce(l.refunded_quantity, 0) AS refunded_quantity,
       (l.unit_price * 100)::bigint AS unit_price_cents,
       (l.line_total * 100)::bigint AS gross_cents, (l.discount * 100)::bigint AS discount_cents,
       (o.shipping * 100)::bigint AS order_shipping, o.created_at, o.paid_at
FROM etl_stg_lines l JOIN etl_stg_orders o ON o.id = l.order_id
WHERE NOT EXISTS (SELECT 1 FROM etl_stg_suspect s WHERE s.id = o.id)"""  # noqa: S608 (constants only)

CLEAN = "NOT EXISTS (SELECT 1 FROM etl_stg_suspect s WHERE s.id = {order})"
SHAPED = """line_id, order_id, order_number, customer_id, variant_id, product_id, order_date_key,
       paid_date_key, status, payment_method, coupon_code, province_code, quantity,
       refunded_quantity, unit_price_cents, gross_cents, discount_cents"""

# Most orders ship free: their lines need no sharing (no window, no sort).
FACT_LINES = f"""
SELECT {SHAPED}, 0, gross_cents - discount_cents, created_at, paid_at
FROM ({LINES} AND o.shipping = 0) free
UNION ALL
SELECT {SHAPED}, share, gross_cents - discount_cents + share, created_at, paid_at
FROM ({
    ALLOCATE.format(
        total="w.order_shipping",
        weight="x.gross_cents - x.discount_cents",
        group="order_id",
        rows=LINES + " AND o.shipping <> 0",
    )
}) shaped"""  # noqa: S608 (constants only)

# Refunds are shared over the lines as just loaded (the lines of this window).
REFUND_ROWS = f"""
SELECT r.id AS refund_id, f.line_id, f.order_id, f.customer_id, f.variant_id, f.product_id,
       {_day("r.completed_at")} AS date_key, f.payment_method, f.coupon_code, f.province_code,
       (r.amount * 100)::bigint AS refund_cents, f.net_cents, r.completed_at AS paid_at
FROM etl_stg_refunds r JOIN etl_factsaleline f ON f.order_id = r.order_id
JOIN etl_stg_lines l ON l.id = f.line_id
WHERE r.status = 'succeeded' AND {CLEAN.format(order="r.order_id")}"""  # noqa: S608 (constants only)

FACT_REFUNDS = f"""
SELECT refund_id, line_id, order_id, customer_id, variant_id, product_id, date_key,
       payment_method, coupon_code, province_code, -share AS amount_cents, paid_at
FROM ({
    ALLOCATE.format(
        total="w.refund_cents", weight="x.net_cents", group="refund_id", rows=REFUND_ROWS
    )
}) shaped"""  # noqa: S608 (constants only)

FACT_PAYMENTS = f"""
SELECT p.id, p.order_id, p.method, p.status, (p.amount * 100)::bigint,
       {_day("p.created_at")}, {_day("p.captured_at")}, p.captured_at
FROM etl_stg_payments p WHERE {CLEAN.format(order="p.order_id")}"""  # noqa: S608 (constants only)

OLD_DAYS = """
SELECT DISTINCT order_date_key, paid_date_key FROM etl_factsaleline
WHERE order_id IN (SELECT id FROM etl_stg_orders)
UNION SELECT DISTINCT date_key, date_key FROM etl_factrefund
WHERE order_id IN (SELECT id FROM etl_stg_orders)"""

NEW_DAYS = f"""
SELECT {_day("o.created_at")} FROM etl_stg_orders o WHERE {CLEAN.format(order="o.id")}
UNION SELECT {_day("o.paid_at")} FROM etl_stg_orders o WHERE {CLEAN.format(order="o.id")}
UNION SELECT {_day("r.completed_at")} FROM etl_stg_refunds r
WHERE r.status = 'succeeded' AND {CLEAN.format(order="r.order_id")}"""  # noqa: S608 (constants only)

COUPONS = f"""
SELECT DISTINCT o.coupon_code FROM etl_stg_orders o
WHERE o.coupon_code <> '' AND {CLEAN.format(order="o.id")}"""  # noqa: S608 (constants only)

LEDGER_DAYS = f"SELECT DISTINCT {_day('at')} FROM etl_stg_ledger WHERE at IS NOT NULL"  # noqa: S608

RESOLVE = """
UPDATE etl_quarantine SET status = 'resolved', resolved_at = %(now)s, resolved_run_id = %(run)s
WHERE source = 'sales' AND status = 'open' AND entity_id IN (
    SELECT id FROM etl_stg_orders WHERE id NOT IN (SELECT id FROM etl_stg_suspect))"""


def _upsert_select(writer: Writer, table: tables.Table, select: str, params: dict) -> int:
    columns = ", ".join(table.all_columns)
    sql = (
        f"INSERT INTO {table.name} ({columns}) SELECT *, %(run)s FROM ({select}) src "  # noqa: S608
        + writer._conflict_clause(table, "EXCLUDED")
    )
    return writer.execute(sql, {**params, "run": writer.run_id})


@contextlib.contextmanager
def _indexes_built_after(writer: Writer, table: str):
    """Into an empty table (a first full load), insert without the secondary indexes and
    build them afterwards: one sorted build each instead of a million scattered updates.
    Inside the run's transaction, so a crash puts them back as they were."""
    if writer.fetch(f"SELECT 1 FROM {table} LIMIT 1"):  # noqa: S608
        yield
        return
    found = writer.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = %s AND indexdef NOT LIKE 'CREATE UNIQUE %%'",
        [table],
    )
    for name, _definition in found:
        writer.execute(f'DROP INDEX "{name}"')
    yield
    for _name, definition in found:
        writer.execute(definition)


def load_staged(writer: Writer, *, params: dict) -> dict:
    """Validate and load what is staged. Returns the suspect order ids (for the Python
    stages), the days the old and new rows fall on, the ledger's days, the coupons, and how
    many orders were read and loaded here."""
    execute = writer.execute
    execute("SET LOCAL work_mem = '128MB'")  # sorts and hashes of a full load in memory
    execute("DROP TABLE IF EXISTS etl_stg_suspect")  # a run inside a longer transaction
    execute(SUSPECT, params)
    suspects = sorted(row[0] for row in writer.fetch("SELECT id FROM etl_stg_suspect"))
    old_days = {day for pair in writer.fetch(OLD_DAYS) for day in pair if day}
    with _indexes_built_after(writer, tables.SALE_LINE.name):
        _upsert_select(writer, tables.SALE_LINE, FACT_LINES, params)
    _upsert_select(writer, tables.REFUND, FACT_REFUNDS, params)
    _upsert_select(writer, tables.PAYMENT, FACT_PAYMENTS, params)
    execute(RESOLVE, {"now": params["now"], "run": writer.run_id})
    (read,) = writer.fetch("SELECT count(*) FROM etl_stg_orders")[0]
    clean = read - len(suspects)
    return {
        "suspects": [s for s in suspects if s is not None],
        "read": clean,
        "loaded": clean,
        "days": old_days | {day for (day,) in writer.fetch(NEW_DAYS, params) if day},
        "ledger_days": {day for (day,) in writer.fetch(LEDGER_DAYS, params)},
        "coupons": {code for (code,) in writer.fetch(COUPONS)},
    }
