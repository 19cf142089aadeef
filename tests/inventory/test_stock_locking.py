"""Stock under real concurrency, on PostgreSQL: threads racing through stock_reserve."""

import random

import pytest

from apps.inventory import selectors as inventory_selectors
from apps.inventory import services as inventory_services
from apps.inventory.models import StockMovement
from apps.inventory.services import StockLine
from tests.inventory.factories import first_variant_id, make_product
from tests.race import race

pytestmark = [
    pytest.mark.race,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_many_checkouts_for_the_last_units_never_oversell():
    variant = first_variant_id(make_product(stock=10))

    def buy(i):
        inventory_services.stock_reserve(lines=[StockLine(variant, 1)], reference=f"EP-{i}")
        return "ok"

    outcomes = race(60, buy)
    assert outcomes.count("ok") == 10
    refused = [o for o in outcomes if o != "ok"]
    assert len(refused) == 50
    assert all(isinstance(o, inventory_services.OutOfStockError) for o in refused), refused[:3]
    assert inventory_selectors.variant_stock(variant_id=variant) == 0
    assert StockMovement.objects.filter(kind="sale").count() == 10


def test_orders_over_the_same_items_in_different_orders_do_not_deadlock():
    a = first_variant_id(make_product(name="A", stock=1000))
    b = first_variant_id(make_product(name="B", stock=1000))

    def buy(i):
        lines = [StockLine(a, 1), StockLine(b, 1)]
        inventory_services.stock_reserve(lines=lines if i % 2 else lines[::-1], reference=f"EP-{i}")
        return "ok"

    outcomes = race(40, buy)
    assert outcomes == ["ok"] * 40
    assert inventory_selectors.variant_stock(variant_id=a) == 960
    assert inventory_selectors.variant_stock(variant_id=b) == 960


def test_random_quantities_units_sold_plus_units_left_equal_units_received():
    variant = first_variant_id(make_product(stock=50))
    quantities = [random.Random(i).randint(1, 5) for i in range(40)]

    def buy(i):
        inventory_services.stock_reserve(
            lines=[StockLine(variant, quantities[i])], reference=f"EP-{i}"
        )
        return quantities[i]

    outcomes = race(40, buy)
    sold = sum(o for o in outcomes if isinstance(o, int))
    left = inventory_selectors.variant_stock(variant_id=variant)
    assert left >= 0
    assert sold + left == 50
    assert all(isinstance(o, int | inventory_services.OutOfStockError) for o in outcomes), [
        o for o in outcomes if not isinstance(o, int)
    ][:3]
