"""Aggregate: the daily KPI tables, recomputed in SQL for the shop-local days a run touched.

Definitions (all money in cents, VAT included, as the shop charges it):
- gross = lines at their price; discounts = coupon discounts; shipping = shipping charged;
  all three count on the day the order was paid (the day its money entered the ledger);
- refunds = money paid back that day, whatever day the order was;
- net = gross − discounts + shipping − refunds, which is the sales ledger's day;
- orders / units = orders paid that day and their units; average ticket = the paid orders'
  value (before refunds) over their number, half-up to the cent;
- new customers = customers whose first paid order ever is that day; returning = the others
  who paid that day; orders placed / cancelled = orders created that day, and of those the
  ones cancelled since.
"""

from collections.abc import Iterable

from .load import Writer

TOUCHED = "etl_touched_day"
IN_TOUCHED = f"IN (SELECT date_key FROM {TOUCHED})"  # noqa: S608 (constants only)

SALES_BY_DAY = f"""
SELECT paid_date_key AS day, CAST(SUM(gross_cents) AS BIGINT) AS gross,
       CAST(SUM(discount_cents) AS BIGINT) AS discount,
       CAST(SUM(shipping_cents) AS BIGINT) AS shipping, CAST(SUM(net_cents) AS BIGINT) AS net,
       CAST(COUNT(DISTINCT order_id) AS BIGINT) AS orders,
       CAST(SUM(quantity) AS BIGINT) AS units
FROM etl_factsaleline WHERE paid_date_key {IN_TOUCHED} GROUP BY paid_date_key"""  # noqa: S608 (constants only)

REFUNDS_BY_DAY = f"""
SELECT date_key AS day, -CAST(SUM(amount_cents) AS BIGINT) AS refund
FROM etl_factrefund WHERE date_key {IN_TOUCHED} GROUP BY date_key"""  # noqa: S608 (constants only)

PLACED_BY_DAY = f"""
SELECT order_date_key AS day, COUNT(DISTINCT order_id) AS placed,
       COUNT(DISTINCT CASE WHEN status = 'cancelled' THEN order_id END) AS cancelled
FROM etl_factsaleline WHERE order_date_key {IN_TOUCHED} GROUP BY order_date_key"""  # noqa: S608 (constants only)

CUSTOMERS_BY_DAY = f"""
SELECT f.paid_date_key AS day,
       COUNT(DISTINCT CASE WHEN c.first_day = f.paid_date_key THEN f.customer_id END) AS new,
       COUNT(DISTINCT CASE WHEN c.first_day < f.paid_date_key THEN f.customer_id END) AS old
FROM etl_factsaleline f JOIN (
    SELECT customer_id, MIN(paid_date_key) AS first_day FROM etl_factsaleline
    WHERE paid_date_key IS NOT NULL AND customer_id IN (
        SELECT customer_id FROM etl_factsaleline WHERE paid_date_key {IN_TOUCHED})
    GROUP BY customer_id
) c ON c.customer_id = f.customer_id
WHERE f.paid_date_key {IN_TOUCHED} GROUP BY f.paid_date_key"""  # noqa: S608 (constants only)

DAILY_SALES = f"""
INSERT INTO etl_aggdailysales (date_key, gross_cents, discount_cents, shipping_cents,
    refund_cents, net_cents, orders, units, average_ticket_cents, new_customers,
    returning_customers, orders_placed, orders_cancelled, run_id)
SELECT d.date_key, COALESCE(s.gross, 0), COALESCE(s.discount, 0), COALESCE(s.shipping, 0),
       COALESCE(r.refund, 0), COALESCE(s.net, 0) - COALESCE(r.refund, 0),
       COALESCE(s.orders, 0), COALESCE(s.units, 0),
       CASE WHEN s.orders > 0 THEN (2 * s.net + s.orders) / (2 * s.orders) ELSE 0 END,
       COALESCE(c.new, 0), COALESCE(c.old, 0), COALESCE(p.placed, 0), COALESCE(p.cancelled, 0),
       %s
FROM {TOUCHED} d
LEFT JOIN ({SALES_BY_DAY}) s ON s.day = d.date_key
LEFT JOIN ({REFUNDS_BY_DAY}) r ON r.day = d.date_key
LEFT JOIN ({PLACED_BY_DAY}) p ON p.day = d.date_key
LEFT JOIN ({CUSTOMERS_BY_DAY}) c ON c.day = d.date_key
WHERE s.day IS NOT NULL OR r.day IS NOT NULL OR p.day IS NOT NULL"""  # noqa: S608 (constants only)

PRODUCT_JOIN = "LEFT JOIN etl_dimproduct p ON p.variant_id = f.variant_id"
DIMENSIONS = {
    "product": ("CAST(f.product_id AS TEXT)", "", ""),
    "category": ("COALESCE(CAST(p.category_id AS TEXT), '0')", PRODUCT_JOIN, ""),
    "brand": ("COALESCE(CAST(p.brand_id AS TEXT), '0')", PRODUCT_JOIN, ""),
    "payment_method": ("f.payment_method", "", ""),
    "coupon": ("f.coupon_code", "", "AND f.coupon_code <> ''"),
    "province": ("f.province_code", "", ""),
}

BY_DIMENSION = """
INSERT INTO etl_aggdailydimension (date_key, dimension, member, gross_cents, discount_cents,
    shipping_cents, refund_cents, net_cents, orders, units, run_id)
SELECT day, %s, member, SUM(gross), SUM(discount), SUM(shipping), SUM(refund),
       SUM(net) - SUM(refund), SUM(orders), SUM(units), %s
FROM (
    SELECT f.paid_date_key AS day, {member} AS member, SUM(f.gross_cents) AS gross,
           SUM(f.discount_cents) AS discount, SUM(f.shipping_cents) AS shipping,
           SUM(f.net_cents) AS net, 0 AS refund, COUNT(DISTINCT f.order_id) AS orders,
           SUM(f.quantity) AS units
    FROM etl_factsaleline f {join} WHERE f.paid_date_key {touched} {filter}
    GROUP BY f.paid_date_key, {member}
    UNION ALL
    SELECT f.date_key, {member}, 0, 0, 0, 0, -SUM(f.amount_cents), 0, 0
    FROM etl_factrefund f {join} WHERE f.date_key {touched} {filter}
    GROUP BY f.date_key, {member}
) x GROUP BY day, member"""


def mark_days(writer: Writer, days: Iterable[int]) -> list[int]:
    """Fill the temporary table of the days to recompute; returns them sorted."""
    days = sorted({day for day in days if day})
    on_commit = " ON COMMIT DROP" if writer.vendor == "postgresql" else ""
    writer.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {TOUCHED} (date_key INTEGER PRIMARY KEY){on_commit}"
    )
    writer.execute(f"DELETE FROM {TOUCHED}")  # noqa: S608
    with writer.connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {TOUCHED} (date_key) VALUES (%s)", [(d,) for d in days])  # noqa: S608
    if writer.vendor == "postgresql":
        writer.execute(f"ANALYZE {TOUCHED}")  # so a day or two is planned as such (indexes)
    return days


def aggregate_days(writer: Writer, days: Iterable[int]) -> list[int]:
    """Recompute every daily aggregate of these days from the facts (set-based)."""
    days = mark_days(writer, days)
    if not days:
        return days
    for table in ("etl_aggdailysales", "etl_aggdailydimension"):
        writer.execute(f"DELETE FROM {table} WHERE date_key {IN_TOUCHED}")  # noqa: S608
    writer.execute(DAILY_SALES, [writer.run_id])
    for name, (member, join, where) in DIMENSIONS.items():
        sql = BY_DIMENSION.format(member=member, join=join, touched=IN_TOUCHED, filter=where)
        writer.execute(sql, [name, writer.run_id])
    if writer.vendor == "postgresql" and len(days) > 60:  # many days rewritten: fresh stats
        for table in ("etl_aggdailysales", "etl_aggdailydimension"):
            writer.execute(f"ANALYZE {table}")
    return days
