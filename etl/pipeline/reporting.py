"""Aggregates the dashboards read besides the daily KPIs: orders by shop-local hour, each
customer's paid history, and the day's stock by product. Like ``aggregate``, each is
recomputed from the facts for what a run touched, so a re-run gives the same rows.
"""

from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime

from . import clean
from .aggregate import IN_TOUCHED, mark_days
from .load import Writer

ORDERS_PLACED = f"""
SELECT DISTINCT order_id, order_date_key, created_at FROM etl_factsaleline
WHERE order_date_key {IN_TOUCHED}"""  # noqa: S608 (constants only)

CUSTOMERS_TOUCHED = f"""
SELECT customer_id FROM etl_factsaleline WHERE paid_date_key {IN_TOUCHED}
UNION SELECT customer_id FROM etl_factrefund WHERE date_key {IN_TOUCHED}
UNION SELECT customer_id FROM etl_aggcustomer
WHERE first_date_key {IN_TOUCHED} OR last_date_key {IN_TOUCHED}"""  # noqa: S608 (constants only)

CUSTOMERS = """
INSERT INTO etl_aggcustomer (customer_id, first_date_key, last_date_key, orders, units,
    net_cents, run_id)
SELECT s.customer_id, s.first_day, s.last_day, s.orders, s.units,
       s.net + COALESCE(r.refund, 0), %s
FROM (
    SELECT customer_id, MIN(paid_date_key) AS first_day, MAX(paid_date_key) AS last_day,
           COUNT(DISTINCT order_id) AS orders, SUM(quantity) AS units, SUM(net_cents) AS net
    FROM etl_factsaleline WHERE paid_date_key IS NOT NULL AND {clause} GROUP BY customer_id
) s LEFT JOIN (
    SELECT customer_id, SUM(amount_cents) AS refund FROM etl_factrefund
    WHERE {clause} GROUP BY customer_id
) r ON r.customer_id = s.customer_id"""

STOCK = """
INSERT INTO etl_aggdailystock (date_key, product_id, category_id, on_hand, value_cents,
    variants, variants_out, run_id)
SELECT s.date_key, s.product_id, COALESCE(MAX(p.category_id), 0), SUM(s.on_hand),
       SUM(s.value_cents), COUNT(*), SUM(CASE WHEN s.on_hand <= 0 THEN 1 ELSE 0 END), %s
FROM etl_factstocksnapshot s LEFT JOIN etl_dimproduct p ON p.variant_id = s.variant_id
WHERE s.date_key = %s GROUP BY s.date_key, s.product_id"""


def _moment(value) -> datetime:
    """A timestamp as the cursor returns it (SQLite: text) as an aware UTC moment."""
    moment = value if isinstance(value, datetime) else parse_datetime(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def sales_days(writer: Writer, days) -> None:
    """After ``aggregate.aggregate_days``: the hours and the customers of those days."""
    if mark_days(writer, days):
        hourly_orders(writer)
        customers(writer)


def hourly_orders(writer: Writer) -> None:
    """Orders placed by shop-local hour on the touched days (``mark_days`` filled them)."""
    counts: dict[tuple[int, int], int] = {}
    for _order, day, created in writer.fetch(ORDERS_PLACED):
        hour = _moment(created).astimezone(clean.shop_zone()).hour
        counts[day, hour] = counts.get((day, hour), 0) + 1
    writer.execute(f"DELETE FROM etl_agghourlyorders WHERE date_key {IN_TOUCHED}")  # noqa: S608
    rows = [
        (day, clean.key_date(day).isoweekday(), hour, n, writer.run_id)
        for (day, hour), n in sorted(counts.items())
    ]
    with writer.connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO etl_agghourlyorders (date_key, weekday, hour, orders, run_id) "
            "VALUES (%s, %s, %s, %s, %s)",
            rows,
        )


def customers(writer: Writer) -> None:
    """Recompute the history of every customer who paid or was refunded on a touched day."""
    ids = sorted({row[0] for row in writer.fetch(CUSTOMERS_TOUCHED)})
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        writer.delete_where_in("etl_aggcustomer", "customer_id", chunk)
        clause, params = writer.in_list("customer_id", chunk)
        writer.execute(CUSTOMERS.format(clause=clause), [writer.run_id, *params, *params])


def stock(writer: Writer, date_key: int) -> None:
    """The day's stock snapshot summed by product (with its category)."""
    writer.execute("DELETE FROM etl_aggdailystock WHERE date_key = %s", [date_key])
    writer.execute(STOCK, [writer.run_id, date_key])
