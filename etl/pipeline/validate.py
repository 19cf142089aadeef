"""Validate: rules over source rows. A row that breaks one becomes a ``Problem`` (it goes to
the quarantine with its reason and the raw row); nothing is dropped silently."""

import dataclasses
from datetime import datetime, timedelta

from .clean import BadValue, cents, json_safe

# Reason codes (stable: the ETL page and the replay filter on them).
MISSING_KEY = "missing_key"
NEGATIVE_QUANTITY = "negative_quantity"
UNKNOWN_PRODUCT = "unknown_product"
IMPOSSIBLE_DATE = "impossible_date"
BAD_AMOUNT = "bad_amount"
LINES_MISMATCH = "lines_mismatch"
NO_LINES = "no_lines"
MISSING_VALUE = "missing_value"

EARLIEST = datetime(2000, 1, 1).astimezone()
FUTURE_SLACK = timedelta(days=1)


@dataclasses.dataclass(frozen=True)
class Problem:
    stage: str  # validate | clean
    entity: str  # order, line, payment, refund, movement, variant, customer
    entity_id: int | None  # what a replay reads again (for sales: the order)
    key: str
    reason: str
    raw: dict

    @classmethod
    def of(cls, reason: str, *, entity: str, entity_id, key: str, row: dict, stage="validate"):
        return cls(stage, entity, entity_id, str(key)[:100], reason, json_safe(row))


def impossible(moment, *, now: datetime, after: datetime | None = None) -> bool:
    """A moment that cannot be: missing, before 2000, in the future, or before ``after``."""
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        return True
    if moment < EARLIEST or moment > now + FUTURE_SLACK:
        return True
    return after is not None and isinstance(after, datetime) and moment < after


def amount_or_none(value) -> int | None:
    try:
        return cents(value)
    except BadValue:
        return None


def line_problems(line: dict, *, key: str, order_id, known_variants: set[int]) -> list[Problem]:
    found = []

    def add(reason):
        found.append(Problem.of(reason, entity="line", entity_id=order_id, key=key, row=line))

    if line.get("id") is None or line.get("variant_id") is None:
        add(MISSING_KEY)
    quantity = line.get("quantity")
    if not isinstance(quantity, int):
        add(MISSING_VALUE)
    elif quantity <= 0:
        add(NEGATIVE_QUANTITY)
    elif line.get("variant_id") is not None and line["variant_id"] not in known_variants:
        add(UNKNOWN_PRODUCT)
    price, total, discount = (
        amount_or_none(line.get(name)) for name in ("unit_price", "line_total", "discount")
    )
    if (
        None in (price, total, discount)
        or min(price, total, discount) < 0
        or (isinstance(quantity, int) and quantity > 0 and price * quantity != total)
        or discount > total
    ):
        add(BAD_AMOUNT)
    return found
