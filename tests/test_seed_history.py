"""seed_demo --history: two believable years through the order-history import."""

from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command

from apps.demo import history
from apps.inventory import selectors as inventory_selectors
from apps.sales import selectors as sales_selectors
from apps.sales.models import Order, OrderLine, Refund

pytestmark = pytest.mark.django_db


def test_day_weights_follow_the_calendar():
    first = date(2024, 1, 1)
    weight = lambda day: history.day_weight(day, first=first, years=2)  # noqa: E731
    black_friday = date(2024, 11, 29)
    assert history._black_friday(2024) == black_friday
    assert weight(black_friday) > 4 * weight(date(2024, 11, 15))
    assert weight(date(2024, 12, 16)) > weight(date(2024, 10, 14))  # Christmas shopping
    assert weight(date(2024, 7, 3)) > weight(date(2024, 6, 12))  # summer sales
    assert weight(date(2025, 3, 12)) > weight(date(2024, 3, 13))  # the shop grows


def test_seed_demo_history_builds_two_believable_years(settings, tmp_path, capsys):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", "--products", "40", "--orders", "3")
    stock_before = {r.sku: r.on_hand for r in inventory_selectors.variant_refs_on_sale()}
    call_command("seed_demo", "--history", "--lines", "2000", "--years", "2")
    assert "Histórico de demostración" in capsys.readouterr().out
    orders = Order.objects.filter(number__startswith=history.NUMBER_PREFIX)
    count = orders.count()
    assert 500 <= count <= 700
    assert 1800 <= OrderLine.objects.filter(order__in=orders).count() <= 2200
    # every province, every payment method, the statuses and the money a real shop has
    provinces = {postal[:2] for postal in orders.values_list("ship_postal_code", flat=True)}
    assert provinces == {code for code, _w in history.PROVINCES}
    assert set(orders.values_list("payment_method", flat=True)) == {"card", "transfer", "cod"}
    statuses = Counter(orders.values_list("status", flat=True))
    assert statuses["delivered"] > count / 2 and statuses["cancelled"] and statuses["refunded"]
    partial = Refund.objects.filter(order__status="delivered").count()
    assert partial > 0
    assert orders.exclude(coupon_code="").exists()
    per_customer = Counter(orders.values_list("customer_id", flat=True))
    assert sum(1 for n in per_customer.values() if n > 1) > 20  # customers come back
    days = {o.astimezone(history.ZoneInfo("Europe/Madrid")).date() for o in orders.values_list("created_at", flat=True)}  # fmt: skip
    assert (max(days) - min(days)).days > 650
    # history only: stock untouched; the ledger equals paid orders less refunds
    assert {r.sku: r.on_hand for r in inventory_selectors.variant_refs_on_sale()} == stock_before
    totals = sales_selectors.ledger_totals()
    assert totals["ledger"] == totals["orders"]
    # again with --if-empty: nothing new
    call_command("seed_demo", "--if-empty", "--history", "--lines", "2000")
    assert Order.objects.filter(number__startswith=history.NUMBER_PREFIX).count() == count
