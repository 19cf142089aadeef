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
