"""Reconciliation: each shop-local day of the warehouse against the shop's own sales ledger.

Per day: orders paid (ledger sale entries vs sale-line facts), distinct orders with money
that day (and whether they are the same orders), and net revenue to the cent. Records held
in the quarantine are counted apart: a day whose only difference is quarantined orders is
``quarantined``; any other difference is a ``mismatch``, logged as an error.
"""

import logging
from collections import defaultdict
from datetime import timedelta

from django.utils import timezone

from apps.sales import selectors as sales_selectors

from . import aggregate, clean, quarantine, tables
from .load import Writer

logger = logging.getLogger("etl")


def ledger_days(entries: list[dict]) -> set[int]:
    return {clean.date_key(entry["at"]) for entry in entries if entry.get("at")}


def _ranges(days: list[int]):
    """Runs of consecutive days as (first, last) dates."""
    dates = [clean.key_date(day) for day in days]
    start = previous = None
    for day in dates:
        if start is None:
            start = previous = day
        elif day == previous + timedelta(days=1):
            previous = day
        else:
            yield start, previous
            start = previous = day
    if start is not None:
        yield start, previous


def _ledger(days: list[int]) -> dict[int, dict]:
    wanted = set(days)
    found = defaultdict(
        lambda: {"sales": set(), "keys": set(), "net": 0, "by_order": defaultdict(int)}
    )
    for first, last in _ranges(days):
        entries = sales_selectors.etl_ledger_entries(
            since=clean.day_start(first), until=clean.day_start(last + timedelta(days=1))
        )
        for order_id, kind, amount, at in entries:
            day = clean.date_key(at)
            if day not in wanted:
                continue
            totals = found[day]
            if kind == "sale":
                totals["sales"].add(order_id)
            totals["keys"].add(order_id)
            totals["net"] += clean.cents(amount)
            totals["by_order"][order_id] += clean.cents(amount)
    return found


def _warehouse(writer: Writer) -> dict[int, dict]:
    found = defaultdict(lambda: {"sales": set(), "keys": set(), "net": 0})
    for day, order_id, net in writer.fetch(
        "SELECT paid_date_key, order_id, SUM(net_cents) FROM etl_factsaleline "  # noqa: S608
        f"WHERE paid_date_key {aggregate.IN_TOUCHED} GROUP BY paid_date_key, order_id"
    ):
        found[day]["sales"].add(order_id)
        found[day]["keys"].add(order_id)
        found[day]["net"] += int(net)
    for day, order_id, amount in writer.fetch(
        "SELECT date_key, order_id, SUM(amount_cents) FROM etl_factrefund "  # noqa: S608
        f"WHERE date_key {aggregate.IN_TOUCHED} GROUP BY date_key, order_id"
    ):
        found[day]["keys"].add(order_id)
        found[day]["net"] += int(amount)
    return found


def reconcile_days(writer: Writer, days) -> list[tuple]:
    """Compare and record these days; returns the rows written."""
    days = aggregate.mark_days(writer, days)
    if not days:
        return []
    if writer.vendor == "postgresql" and sales_selectors.etl_copy_supported():
        return _reconcile_sql(writer, days)
    ledger, warehouse = _ledger(days), _warehouse(writer)
    held = set(quarantine.open_entity_ids(source="sales"))
    now, rows = timezone.now(), []
    for day in days:
        src, wh = ledger[day], warehouse[day]
        held_net = sum(v for order_id, v in src["by_order"].items() if order_id in held)
        keys_match = src["keys"] - held == wh["keys"]
        agrees = (
            keys_match
            and len(src["sales"] - held) == len(wh["sales"])
            and src["net"] - held_net == wh["net"]
        )
        status = "mismatch" if not agrees else ("quarantined" if src["keys"] & held else "ok")
        if status == "mismatch":
            logger.error("etl reconciliation: %s does not match the ledger", day)
        rows.append(
            (
                day,
                status,
                len(src["sales"]),
                len(wh["sales"]),
                len(src["keys"]),
                len(wh["keys"]),
                keys_match,
                src["net"],
                wh["net"],
                held_net,
                now,
            )
        )
    writer.upsert(tables.RECONCILIATION, rows)
    return rows


RECONCILE = """
WITH held AS (
    SELECT DISTINCT entity_id AS order_id FROM etl_quarantine
    WHERE source = 'sales' AND status = 'open' AND entity_id IS NOT NULL
), led AS (
    SELECT to_char(l.at AT TIME ZONE %(zone)s, 'YYYYMMDD')::int AS day, l.order_id, l.kind,
           (l.amount * 100)::bigint AS cents, h.order_id IS NOT NULL AS held
    FROM etl_stg_recon l LEFT JOIN held h ON h.order_id = l.order_id
), src AS (
    SELECT day, count(DISTINCT order_id) FILTER (WHERE kind = 'sale') AS sales,
           count(DISTINCT order_id) FILTER (WHERE kind = 'sale' AND NOT held) AS sales_kept,
           count(DISTINCT order_id) AS keys, sum(cents) AS net,
           coalesce(sum(cents) FILTER (WHERE held), 0) AS held_net, bool_or(held) AS any_held
    FROM led WHERE day IN (SELECT date_key FROM etl_touched_day) GROUP BY day
), wh_orders AS (
    SELECT paid_date_key AS day, order_id, sum(net_cents) AS net, true AS sale
    FROM etl_factsaleline WHERE paid_date_key IN (SELECT date_key FROM etl_touched_day)
    GROUP BY paid_date_key, order_id
    UNION ALL
    SELECT date_key, order_id, sum(amount_cents), false FROM etl_factrefund
    WHERE date_key IN (SELECT date_key FROM etl_touched_day) GROUP BY date_key, order_id
), wh AS (
    SELECT day, count(DISTINCT order_id) FILTER (WHERE sale) AS sales,
           count(DISTINCT order_id) AS keys, sum(net) AS net
    FROM wh_orders GROUP BY day
), differing AS (
    SELECT day FROM (
        (SELECT DISTINCT day, order_id FROM led
         WHERE NOT held AND day IN (SELECT date_key FROM etl_touched_day)
         EXCEPT SELECT day, order_id FROM wh_orders)
        UNION ALL
        (SELECT day, order_id FROM wh_orders
         EXCEPT SELECT day, order_id FROM led WHERE NOT held)
    ) d GROUP BY day
), compared AS (
    SELECT t.date_key AS day, coalesce(s.sales, 0) AS ledger_orders,
           coalesce(w.sales, 0) AS warehouse_orders, coalesce(s.keys, 0) AS ledger_keys,
           coalesce(w.keys, 0) AS warehouse_keys, x.day IS NULL AS keys_match,
           coalesce(s.net, 0) AS ledger_net, coalesce(w.net, 0) AS warehouse_net,
           coalesce(s.held_net, 0) AS held_net, coalesce(s.any_held, false) AS any_held,
           coalesce(s.sales_kept, 0) AS sales_kept
    FROM etl_touched_day t LEFT JOIN src s ON s.day = t.date_key
    LEFT JOIN wh w ON w.day = t.date_key LEFT JOIN differing x ON x.day = t.date_key
)
SELECT day,
       CASE WHEN NOT (keys_match AND sales_kept = warehouse_orders
                      AND ledger_net - held_net = warehouse_net) THEN 'mismatch'
            WHEN any_held THEN 'quarantined' ELSE 'ok' END,
       ledger_orders, warehouse_orders, ledger_keys, warehouse_keys, keys_match,
       ledger_net, warehouse_net, held_net
FROM compared ORDER BY day"""


def _reconcile_sql(writer: Writer, days: list[int]) -> list[tuple]:
    """The same comparison in SQL: the ledger entries of these days are copied from the shop
    into a staging table first (no row passes through Python)."""
    writer.execute("DROP TABLE IF EXISTS etl_stg_recon")
    writer.execute(
        "CREATE TEMP TABLE etl_stg_recon (order_id bigint, kind text, amount numeric, "
        "at timestamptz) ON COMMIT DROP"
    )
    ranges = [
        (clean.day_start(first), clean.day_start(last + timedelta(days=1)))
        for first, last in _ranges(days)
    ]
    with writer.connection.cursor() as cursor:
        with cursor.cursor.copy("COPY etl_stg_recon FROM STDIN") as copy:
            for chunk in sales_selectors.etl_ledger_copy(ranges=ranges):
                copy.write(chunk)
        cursor.execute("ANALYZE etl_stg_recon")
    zone = str(clean.shop_zone())
    now = timezone.now()
    rows = [
        (day, status, *(int(value) for value in counts), keys_match, *(int(v) for v in net), now)
        for day, status, *counts, keys_match, n1, n2, n3 in writer.fetch(RECONCILE, {"zone": zone})
        for net in [(n1, n2, n3)]
    ]
    for row in rows:
        if row[1] == "mismatch":
            logger.error("etl reconciliation: %s does not match the ledger", row[0])
    writer.upsert(tables.RECONCILIATION, rows)
    return rows
