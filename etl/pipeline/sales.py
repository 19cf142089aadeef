"""The sales source's pure part: a batch of orders (as the shop's selectors give them) in,
warehouse rows and problems out. No database here.

An order is loaded whole or not at all: one bad line, payment or refund sends the whole order
to the quarantine (each broken row with its own reason), so the warehouse never holds half an
order and its totals always agree with the ledger for what it holds.
"""

import dataclasses
from collections import defaultdict
from datetime import datetime

from . import clean, validate
from .provinces import province_code
from .validate import Problem

PAID_REFUND = "succeeded"


@dataclasses.dataclass
class SalesRows:
    sale_lines: list[tuple] = dataclasses.field(default_factory=list)
    refunds: list[tuple] = dataclasses.field(default_factory=list)
    payments: list[tuple] = dataclasses.field(default_factory=list)
    problems: list[Problem] = dataclasses.field(default_factory=list)
    loaded_orders: set[int] = dataclasses.field(default_factory=set)
    quarantined_orders: set[int] = dataclasses.field(default_factory=set)
    coupon_codes: set[str] = dataclasses.field(default_factory=set)
    date_keys: set[int] = dataclasses.field(default_factory=set)  # days these rows fall on
    deduplicated: int = 0


def _group(rows: list[dict]) -> dict[int, list[dict]]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row.get("order_id")].append(row)
    return grouped


def transform(batch, *, known_variants: set[int], now: datetime) -> SalesRows:
    """Validate, clean and shape one batch of orders (``sales.selectors.OrderBatch``)."""
    out = SalesRows()
    orders, dropped = clean.dedupe(batch.orders)
    children = {}
    for name in ("lines", "payments", "refunds"):
        rows, more = clean.dedupe(getattr(batch, name))
        dropped += more
        children[name] = _group(rows)
    out.deduplicated = dropped
    for order in orders:
        order_id = order.get("id")
        parts = {name: children[name].get(order_id, []) for name in children}
        problems = _order_problems(order, parts, known_variants=known_variants, now=now)
        if problems:
            out.problems.extend(problems)
            out.quarantined_orders.add(order_id)
            continue
        _shape(order, parts, out)
        out.loaded_orders.add(order_id)
    return out


def _order_problems(order, parts, *, known_variants, now) -> list[Problem]:
    order_id, number = order.get("id"), order.get("number") or f"#{order.get('id')}"

    def problem(reason, row=order, entity="order", key=number):
        return Problem.of(reason, entity=entity, entity_id=order_id, key=key, row=row)

    if order_id is None or not (order.get("number") or "").strip() or not order.get("customer_id"):
        return [problem(validate.MISSING_KEY)]
    found = []
    created = order.get("created_at")
    if validate.impossible(created, now=now) or (
        order.get("paid_at") is not None
        and validate.impossible(order["paid_at"], now=now, after=created)
    ):
        found.append(problem(validate.IMPOSSIBLE_DATE))
    if not parts["lines"]:
        found.append(problem(validate.NO_LINES))
    for line in parts["lines"]:
        found += validate.line_problems(
            line,
            key=f"{number}/line {line.get('id')}",
            order_id=order_id,
            known_variants=known_variants,
        )
    if not found:
        found += _amount_problems(order, parts, problem)
    for refund in parts["refunds"]:
        amount = validate.amount_or_none(refund.get("amount"))
        key = f"{number}/refund {refund.get('id')}"
        if amount is None or amount <= 0:
            found.append(problem(validate.BAD_AMOUNT, refund, "refund", key))
        elif refund.get("status") == PAID_REFUND and validate.impossible(
            refund.get("completed_at"), now=now, after=created
        ):
            found.append(problem(validate.IMPOSSIBLE_DATE, refund, "refund", key))
    return found


def _amount_problems(order, parts, problem) -> list[Problem]:
    """The order's amounts against its lines: subtotal, discount, total, refunds."""
    amounts = [validate.amount_or_none(order.get(name)) for name in _ORDER_MONEY]
    if None in amounts or min(amounts) < 0:
        return [problem(validate.BAD_AMOUNT)]
    subtotal, discount, shipping, total, refunded = amounts
    lines = parts["lines"]
    if subtotal != sum(clean.cents(line["line_total"]) for line in lines) or discount != sum(
        clean.cents(line["discount"]) for line in lines
    ):
        return [problem(validate.LINES_MISMATCH)]
    if total != subtotal - discount + shipping or refunded > total:
        return [problem(validate.BAD_AMOUNT)]
    return []


_ORDER_MONEY = ("subtotal", "discount", "shipping", "total", "refunded")


def _shape(order: dict, parts: dict, out: SalesRows) -> None:
    """One valid order into sale-line, refund and payment rows (cents, UTC, shop days)."""
    lines = parts["lines"]
    created, paid = clean.utc(order["created_at"]), clean.utc(order.get("paid_at"))
    order_day = clean.date_key(created)
    paid_day = clean.date_key(paid) if paid else None
    coupon = clean.code(order.get("coupon_code"))
    province = province_code(
        postal_code=order.get("ship_postal_code", ""),
        name=order.get("ship_province", ""),
        country=order.get("ship_country", "ES"),
    )
    gross = [clean.cents(line["line_total"]) for line in lines]
    discount = [clean.cents(line["discount"]) for line in lines]
    goods = [g - d for g, d in zip(gross, discount, strict=True)]
    shipping = clean.allocate(clean.cents(order["shipping"]), goods)
    net = [g + s for g, s in zip(goods, shipping, strict=True)]
    for i, line in enumerate(lines):
        out.sale_lines.append(
            (
                line["id"],
                order["id"],
                clean.text(order["number"]),
                order["customer_id"],
                line["variant_id"],
                line["product_id"],
                order_day,
                paid_day,
                order["status"],
                order["payment_method"],
                coupon,
                province,
                line["quantity"],
                line.get("refunded_quantity") or 0,
                clean.cents(line["unit_price"]),
                gross[i],
                discount[i],
                shipping[i],
                net[i],
                created,
                paid,
            )
        )
    out.date_keys.update(key for key in (order_day, paid_day) if key)
    if coupon:
        out.coupon_codes.add(coupon)
    attributes = (order["payment_method"], coupon, province)
    _refund_rows(order, lines, net, parts["refunds"], attributes, out)
    _payment_rows(parts["payments"], out)


def _refund_rows(order, lines, net, refunds, attributes, out: SalesRows) -> None:
    for refund in refunds:
        if refund.get("status") != PAID_REFUND:
            continue
        paid_at = clean.utc(refund["completed_at"])
        day = clean.date_key(paid_at)
        shares = clean.allocate(-clean.cents(refund["amount"]), net)
        for line, share in zip(lines, shares, strict=True):
            out.refunds.append(
                (
                    refund["id"],
                    line["id"],
                    order["id"],
                    order["customer_id"],
                    line["variant_id"],
                    line["product_id"],
                    day,
                    *attributes,
                    share,
                    paid_at,
                )
            )
        out.date_keys.add(day)


def _payment_rows(payments, out: SalesRows) -> None:
    for payment in payments:
        created, captured = clean.utc(payment["created_at"]), clean.utc(payment["captured_at"])
        out.payments.append(
            (
                payment["id"],
                payment["order_id"],
                payment["method"],
                payment["status"],
                clean.cents(payment["amount"]),
                clean.date_key(created),
                clean.date_key(captured) if captured else None,
                captured,
            )
        )
