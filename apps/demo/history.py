"""Believable past orders for the demo, generated deterministically and written through the
sales order-history service (``sales.services.order_history_load``), not the checkout.

Two years (by default) ending yesterday: more orders each year, Black Friday and Cyber
Monday, the weeks before Christmas and Reyes, the summer sales; fewer on Sunday mornings and
at night; customers who come back (a few very often); coupons; card, transfer and cash on
delivery; cancellations (unpaid and paid), full and partial refunds; every Spanish province.
"""

import bisect
import itertools
import math
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from apps.core.money import ZERO, money
from apps.sales import services as sales_services

HistoryLine = sales_services.HistoryLine
HistoryOrder = sales_services.HistoryOrder
HistoryRefund = sales_services.HistoryRefund

NUMBER_PREFIX = "HIS-"
LINES_PER_ORDER = (1, 2, 3, 4, 5, 6, 7, 8)
LINES_WEIGHTS = (22, 20, 17, 14, 11, 8, 5, 3)  # 3.31 lines an order on average
MEAN_LINES = sum(n * w for n, w in zip(LINES_PER_ORDER, LINES_WEIGHTS, strict=True)) / sum(
    LINES_WEIGHTS
)
HOUR_WEIGHTS = (
    3, 2, 1, 1, 1, 1, 2, 4, 6, 8, 10, 11, 12, 12, 10, 9, 9, 10, 11, 13, 15, 15, 12, 7,
)  # fmt: skip
HOURS = tuple(range(24))
HOUR_CUM = tuple(itertools.accumulate(HOUR_WEIGHTS))
LINES_CUM = tuple(itertools.accumulate(LINES_WEIGHTS))
METHODS = ("card", "transfer", "cod")
METHODS_CUM = (72, 86, 100)
WEEKDAY_WEIGHTS = (1.05, 1.0, 1.0, 1.0, 1.05, 0.9, 0.85)  # Monday … Sunday
MONTH_WEIGHTS = (0.85, 0.75, 0.85, 0.85, 0.9, 0.95, 1.05, 0.95, 0.95, 1.0, 1.25, 1.6)
COUPONS = (("BIENVENIDA10", "10"), ("VERANO15", "15"), ("BLACKFRIDAY20", "20"), ("NAVIDAD5", "5"))
# (INE code, weight ~ population in hundred thousands), every province
PROVINCES = (
    ("01", 3), ("02", 4), ("03", 19), ("04", 7), ("05", 2), ("06", 7), ("07", 12), ("08", 56),
    ("09", 4), ("10", 4), ("11", 12), ("12", 6), ("13", 5), ("14", 8), ("15", 11), ("16", 2),
    ("17", 8), ("18", 9), ("19", 3), ("20", 7), ("21", 5), ("22", 2), ("23", 6), ("24", 5),
    ("25", 4), ("26", 3), ("27", 3), ("28", 68), ("29", 17), ("30", 15), ("31", 7), ("32", 3),
    ("33", 10), ("34", 2), ("35", 11), ("36", 9), ("37", 3), ("38", 10), ("39", 6), ("40", 2),
    ("41", 19), ("42", 1), ("43", 8), ("44", 1), ("45", 7), ("46", 26), ("47", 5), ("48", 11),
    ("49", 2), ("50", 10), ("51", 1), ("52", 1),
)  # fmt: skip


def _black_friday(year: int) -> date:
    """The day after the fourth Thursday of November."""
    november = date(year, 11, 1)
    first_thursday = november + timedelta(days=(3 - november.weekday()) % 7)
    return first_thursday + timedelta(weeks=3, days=1)


def day_weight(day: date, *, first: date, years: float) -> float:
    """How busy a day is, relative to an ordinary weekday at the start."""
    weight = MONTH_WEIGHTS[day.month - 1] * WEEKDAY_WEIGHTS[day.weekday()]
    weight *= 1 + 0.3 * (day - first).days / 365  # the shop grows ~30 % a year
    black_friday = _black_friday(day.year)
    if day == black_friday:
        weight *= 6
    elif day == black_friday + timedelta(days=3):  # Cyber Monday
        weight *= 3.5
    elif black_friday - timedelta(days=4) <= day < black_friday:
        weight *= 1.8
    elif date(day.year, 12, 10) <= day <= date(day.year, 12, 23):
        weight *= 1.9
    elif date(day.year, 12, 24) <= day <= date(day.year, 12, 26) or day == date(day.year, 1, 1):
        weight *= 0.5
    elif date(day.year, 1, 2) <= day <= date(day.year, 1, 5):  # Reyes
        weight *= 1.6
    elif date(day.year, 1, 7) <= day <= date(day.year, 1, 14) or (
        date(day.year, 7, 1) <= day <= date(day.year, 7, 10)
    ):  # the sales
        weight *= 1.4
    return weight


class HistoryGenerator:
    """Orders one after another, as ``HistoryOrder`` values, oldest first."""

    def __init__(self, *, variants, orders: int, years: float, seed: int = 2024, now=None):
        if not variants:
            raise ValueError("the history needs a catalogue")
        self.rng = random.Random(seed)  # noqa: S311  (repeatable demo data, not security)
        self.now = now or timezone.now()
        self.zone = ZoneInfo(settings.SHOP_TIME_ZONE)
        self.orders = orders
        self.years = years
        self.variants = variants
        # a few products sell far more than the rest (Zipf-like popularity)
        popularity = [1 / (rank + 1) ** 0.8 for rank in range(len(variants))]
        self.rng.shuffle(popularity)
        self.variant_cum = list(itertools.accumulate(popularity))
        self.customer_count = max(1, orders // 4)
        # customers: a few buy very often, most once or twice
        self.customer_cum = list(
            itertools.accumulate(1 / (n + 1) ** 0.6 for n in range(self.customer_count))
        )
        self.province_cum = list(itertools.accumulate(w for _c, w in PROVINCES))
        self.customer_province = {}

    # -- when --------------------------------------------------------------------------

    def _days(self) -> list[tuple[date, int]]:
        """Each day and how many orders fall on it (largest remainder: exactly ``orders``)."""
        last = self.now.astimezone(self.zone).date() - timedelta(days=1)
        first = last - timedelta(days=max(1, round(365 * self.years)) - 1)
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        weights = [day_weight(day, first=first, years=self.years) for day in days]
        total = sum(weights)
        exact = [self.orders * w / total for w in weights]
        counts = [math.floor(x) for x in exact]
        by_remainder = sorted(range(len(days)), key=lambda i: counts[i] - exact[i])
        for i in by_remainder[: self.orders - sum(counts)]:
            counts[i] += 1
        return list(zip(days, counts, strict=True))

    def _moment(self, day: date) -> datetime:
        hour = self.rng.choices(HOURS, cum_weights=HOUR_CUM)[0]
        if day.weekday() == 6 and hour < 11 and self.rng.random() < 0.5:
            hour += 5  # Sunday mornings are quiet
        seconds = self.rng.randrange(3600)
        local = datetime.combine(day, time(hour), self.zone) + timedelta(seconds=seconds)
        return local.astimezone(UTC)

    # -- who and what ------------------------------------------------------------------

    def _customer(self, number: int) -> tuple[str, str]:
        n = bisect.bisect(self.customer_cum, self.rng.random() * self.customer_cum[-1])
        n = min(n, self.customer_count - 1)
        if number <= len(PROVINCES):  # the first orders come from every province
            n = min(number - 1, self.customer_count - 1)
        if n < len(PROVINCES):  # the first customers live in every province, one each
            code = PROVINCES[n][0]
        else:
            code = self.customer_province.get(n)
            if code is None:
                i = bisect.bisect(self.province_cum, self.rng.random() * self.province_cum[-1])
                code = PROVINCES[min(i, len(PROVINCES) - 1)][0]
                self.customer_province[n] = code
        return f"historico{n:06d}@demo.electropluz.test", code

    def _lines(self, coupon_rate: Decimal) -> list[HistoryLine]:
        count = self.rng.choices(LINES_PER_ORDER, cum_weights=LINES_CUM)[0]
        chosen, lines = set(), []
        for _ in range(count):
            i = bisect.bisect(self.variant_cum, self.rng.random() * self.variant_cum[-1])
            ref = self.variants[min(i, len(self.variants) - 1)]
            if ref.sku in chosen:
                continue
            chosen.add(ref.sku)
            quantity = 1 if self.rng.random() < 0.85 else self.rng.randint(2, 3)
            discount = money(ref.price * quantity * coupon_rate / 100) if coupon_rate else ZERO
            lines.append(HistoryLine(ref.sku, quantity, ref.price, discount))
        return lines

    def _coupon(self, moment: datetime) -> tuple[str, Decimal]:
        local = moment.astimezone(self.zone).date()
        black_friday = _black_friday(local.year)
        if black_friday <= local <= black_friday + timedelta(days=3) and self.rng.random() < 0.4:
            return "BLACKFRIDAY20", Decimal(20)
        if local.month in (7, 8) and self.rng.random() < 0.15:
            return "VERANO15", Decimal(15)
        if self.rng.random() < 0.06:
            code, rate = self.rng.choice(COUPONS[:1] + COUPONS[3:])
            return code, Decimal(rate)
        return "", ZERO

    # -- what became of it -------------------------------------------------------------

    def _fate(self, created: datetime, method: str, total: Decimal, lines):
        """(status, paid_at, refunds, lines) for an order placed at ``created``."""
        rng, now = self.rng, self.now
        age = now - created

        def after(moment: datetime, low_hours: float, high_hours: float) -> datetime:
            return min(moment + timedelta(hours=rng.uniform(low_hours, high_hours)), now)

        hours = {"card": (0.002, 0.02), "transfer": (3, 48), "cod": (30, 96)}[method]
        paid = created + timedelta(hours=rng.uniform(*hours))
        roll = rng.random()
        if roll < 0.02 and method == "transfer":
            return "cancelled", None, (), lines  # never paid
        if paid > now:
            return ("shipped" if method == "cod" else "pending_payment"), None, (), lines
        if roll < 0.04:  # cancelled after paying: all the money back within days
            return "cancelled", paid, (HistoryRefund(total, after(paid, 1, 72)),), lines
        if age < timedelta(days=4):
            status = (
                "delivered"
                if method == "cod"
                else ("paid" if age < timedelta(days=2) else "shipped")
            )
            return status, paid, (), lines
        if roll < 0.06 and age > timedelta(days=20):  # returned whole
            return "refunded", paid, (HistoryRefund(total, after(paid, 24 * 5, 24 * 20)),), lines
        if roll < 0.10 and age > timedelta(days=20):  # one line returned
            back = rng.randrange(len(lines))
            line = lines[back]
            lines = [
                HistoryLine(x.sku, x.quantity, x.unit_price, x.discount, x.quantity)
                if i == back
                else x
                for i, x in enumerate(lines)
            ]
            refund = HistoryRefund(line.amount - line.discount, after(paid, 24 * 5, 24 * 20))
            return "delivered", paid, (refund,), lines
        return "delivered", paid, (), lines

    def __iter__(self) -> Iterator[HistoryOrder]:
        number = 0
        for day, count in self._days():
            for created in sorted(self._moment(day) for _ in range(count)):
                number += 1
                yield self._order(number, created)

    def _order(self, number: int, created: datetime) -> HistoryOrder:
        email, province = self._customer(number)
        coupon, rate = self._coupon(created)
        lines = self._lines(rate)
        goods = sum((x.amount - x.discount for x in lines), ZERO)
        express = self.rng.random() < 0.12
        shipping = Decimal("9.99") if express else (ZERO if goods >= 50 else Decimal("4.99"))
        method = self.rng.choices(METHODS, cum_weights=METHODS_CUM)[0]
        status, paid, refunds, lines = self._fate(created, method, goods + shipping, lines)
        return HistoryOrder(
            number=f"{NUMBER_PREFIX}{number:07d}",
            created_at=created,
            email=email,
            status=status,
            payment_method=method,
            lines=lines,
            paid_at=paid,
            shipping=shipping,
            shipping_method="express" if express else "standard",
            postal_code=f"{province}{self.rng.randrange(1000):03d}",
            country="ES",
            coupon_code=coupon,
            refunds=refunds,
        )


def orders_for_lines(lines: int) -> int:
    return max(1, round(lines / MEAN_LINES))
