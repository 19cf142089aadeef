"""Clean and normalise: small pure functions, each one rule."""

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from itertools import islice
from zoneinfo import ZoneInfo

from django.conf import settings

CENT = Decimal("0.01")


class BadValue(ValueError):
    """A value that cannot be cleaned; the validator turns it into a quarantine reason."""


def shop_zone() -> ZoneInfo:
    """The one zone where days are cut, for the whole pipeline."""
    return _zone(getattr(settings, "SHOP_TIME_ZONE", settings.TIME_ZONE))


@lru_cache(maxsize=4)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def cents(value) -> int:
    """Euros (Decimal, str or int) to whole cents, half-up; never a float."""
    if type(value) is Decimal and value.is_finite():
        scaled = value.scaleb(2)
        if scaled == scaled.to_integral_value():  # the usual case: two decimals at most
            return int(scaled)
        return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if value is None or isinstance(value, float | bool):
        raise BadValue("not an amount")
    try:
        amount = Decimal(str(value).strip())
        if not amount.is_finite():
            raise BadValue("not a finite amount")
        return int((amount / CENT).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation:
        raise BadValue("not an amount") from None


def utc(moment: datetime | None) -> datetime | None:
    """An aware moment in UTC; a naive one is refused (the shop stores UTC, aware)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise BadValue("naive datetime")
    return moment.astimezone(UTC)


def date_key(moment: datetime, zone: ZoneInfo | None = None) -> int:
    """YYYYMMDD of the shop-local day a moment falls on."""
    local = moment.astimezone(zone or shop_zone())
    return local.year * 10000 + local.month * 100 + local.day


def key_date(key: int) -> date:
    return date(key // 10000, key // 100 % 100, key % 100)


def day_key(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def day_start(day: date, zone: ZoneInfo | None = None) -> datetime:
    """The UTC moment a shop-local day begins (23 or 25 hours long on DST days)."""
    return datetime.combine(day, time.min, zone or shop_zone()).astimezone(UTC)


def text(value) -> str:
    """Trimmed, inner runs of white space made one space."""
    return " ".join(str(value or "").split())


def email(value) -> str:
    return text(value).lower()


def email_hash(value) -> str:
    """A stable pseudonym for an e-mail address (lower case, trimmed, SHA-256)."""
    return hashlib.sha256(email(value).encode()).hexdigest()


def code(value) -> str:
    return text(value).upper()


def json_safe(row: dict) -> dict:
    """A source row as JSON (Decimal and datetimes as text) for the quarantine."""
    safe = {}
    for name, value in row.items():
        if isinstance(value, Decimal | datetime | date):
            value = value.isoformat() if not isinstance(value, Decimal) else str(value)
        safe[name] = value
    return safe


def dedupe(rows: Iterable[dict], key: str = "id") -> tuple[list[dict], int]:
    """Rows unique by ``key`` (the last one wins, as the latest read); how many were dropped."""
    unique: dict = {}
    count = 0
    for row in rows:
        unique[row.get(key)] = row
        count += 1
    return list(unique.values()), count - len(unique)


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` cents shared in proportion to ``weights`` by largest remainder: whole cents
    that add up to ``total`` exactly (equal shares when every weight is zero)."""
    if not weights:
        return []
    if total < 0:
        return [-share for share in allocate(-total, weights)]
    weights = [max(weight, 0) for weight in weights]
    whole = sum(weights)
    if whole == 0:
        weights, whole = [1] * len(weights), len(weights)
    shares = [total * weight // whole for weight in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in remainders[: total - sum(shares)]:
        shares[i] += 1
    return shares


def chunked(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
