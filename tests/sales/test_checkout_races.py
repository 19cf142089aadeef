"""The reliability catalogue's checkout races (C-01, C-02, C-04, C-07, I-01), on PostgreSQL."""

import json
from collections import Counter

import pytest
from django.test import Client

from apps.cart import services as cart_services
from apps.core.errors import ApplicationError
from apps.coupons import services as coupons_services
from apps.coupons.models import Coupon
from apps.inventory import selectors as inventory_selectors
from apps.inventory.models import StockMovement
from apps.sales import services as sales_services
from apps.sales.models import Order, Payment
from tests.race import race, require_connections
from tests.sales.factories import APPROVED, make_shopper, make_variant, user

pytestmark = [
    pytest.mark.race,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _outcome(shopper, **kwargs):
    try:
        return shopper.place(**kwargs)
    except ApplicationError as error:
        return error


def test_c01_hundred_checkouts_for_ten_units():
    require_connections(100)
    variant = make_variant(price="10.00", stock=10)
    shoppers = [make_shopper() for _ in range(100)]
    for shopper in shoppers:
        shopper.add(variant, 1)

    outcomes = race(100, lambda i: _outcome(shoppers[i], payment_method="card", card=APPROVED))

    placed = [o for o in outcomes if isinstance(o, sales_services.PlacedOrder)]
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert len(placed) == 10, Counter(type(o).__name__ for o in outcomes)
    assert len(refused) == 90, [
        o for o in outcomes if not isinstance(o, ApplicationError | sales_services.PlacedOrder)
    ][:3]
    assert {o.code for o in refused} == {"out_of_stock"}
    assert all(o.message for o in refused)
    assert inventory_selectors.variant_stock(variant_id=variant) == 0
    assert Order.objects.filter(status="paid").count() == 10
    assert StockMovement.objects.filter(kind="sale").count() == 10


def test_c02_orders_over_the_same_items_in_different_orders_do_not_deadlock():
    a = make_variant(price="5.00", stock=500)
    b = make_variant(price="7.00", stock=500)
    shoppers = [make_shopper() for _ in range(30)]
    for i, shopper in enumerate(shoppers):
        first, second = (a, b) if i % 2 else (b, a)
        shopper.add(first, 1)
        shopper.add(second, 1)

    outcomes = race(30, lambda i: _outcome(shoppers[i]))

    assert all(isinstance(o, sales_services.PlacedOrder) for o in outcomes), outcomes[:3]
    assert inventory_selectors.variant_stock(variant_id=a) == 470
    assert inventory_selectors.variant_stock(variant_id=b) == 470


def test_c04_coupon_with_five_uses_and_fifty_checkouts():
    variant = make_variant(price="20.00", stock=100)
    coupon_id = coupons_services.coupon_create(
        code="CINCO", kind="percentage", value="50", max_uses=5
    )
    shoppers = [make_shopper() for _ in range(50)]
    for shopper in shoppers:
        shopper.add(variant, 1)
        cart_services.cart_coupon_apply(
            cart_id=shopper.cart_id, code="CINCO", customer_id=shopper.customer_id
        )

    outcomes = race(50, lambda i: _outcome(shoppers[i]))

    placed = [o for o in outcomes if isinstance(o, sales_services.PlacedOrder)]
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert len(placed) == 5 and len(refused) == 45, Counter(type(o).__name__ for o in outcomes)
    assert {o.code for o in refused} == {"coupon_exhausted"}
    # Nobody was charged the full price silently: every order has the discount.
    assert set(Order.objects.values_list("total", flat=True)) == {placed[0].total}
    assert Order.objects.filter(coupon_code="CINCO").count() == 5
    assert Coupon.objects.get(pk=coupon_id).uses == 5


def test_c07_the_same_order_cancelled_fifty_times_at_once():
    shopper = make_shopper()
    variant = make_variant(price="12.00", stock=3)
    shopper.add(variant, 3)
    number = shopper.place(payment_method="card", card=APPROVED).number

    def cancel(i):
        sales_services.order_cancel(order_number=number, customer_id=shopper.customer_id)
        return "cancelled"

    outcomes = race(50, cancel)

    assert outcomes.count("cancelled") == 1
    assert all(
        isinstance(o, sales_services.IllegalTransitionError) for o in outcomes if o != "cancelled"
    )
    order = Order.objects.get(number=number)
    changes = order.history.filter(to_status="cancelled").exclude(from_status="cancelled")
    assert changes.count() == 1
    # The money went back once too.
    assert order.refunds.count() == 1 and order.refunded == order.total
    assert inventory_selectors.variant_stock(variant_id=variant) == 3
    assert StockMovement.objects.filter(kind="cancellation").count() == 1


def test_i01_the_same_idempotency_key_twenty_times_at_once():
    shopper = make_shopper()
    variant = make_variant(price="99.00", stock=5)
    shopper.add(variant, 1)
    login = Client()
    login.force_login(user(shopper.customer_id))
    session_cookie = login.cookies
    body = json.dumps(
        {
            "shipping_address": {
                "full_name": "Ana",
                "line1": "Calle 1",
                "postal_code": "28001",
                "city": "Madrid",
            },
            "payment_method": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )

    def post(i):
        client = Client()
        client.cookies = session_cookie
        response = client.post(
            "/api/v1/checkout",
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="same-key",
        )
        return response.status_code, response.json()

    outcomes = race(20, post)

    statuses = Counter(status for status, _ in outcomes)
    assert set(statuses) <= {201, 409}, outcomes
    assert statuses[201] >= 1
    numbers = {body["number"] for status, body in outcomes if status == 201}
    assert len(numbers) == 1
    assert all(
        body["error"]["code"] == "idempotency_in_progress"
        for status, body in outcomes
        if status == 409
    )
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    assert StockMovement.objects.filter(kind="sale").count() == 1


def test_two_concurrent_first_orders_get_a_first_order_coupon_once():
    """Issue: the first-order rule was checked only before the coupon's lock."""
    shopper = make_shopper()
    variant = make_variant(price="40.00", stock=100)
    coupons_services.coupon_create(
        code="BIENVENIDA", kind="fixed", value="10", first_order_only=True
    )
    shopper.add(variant, 1)
    cart_services.cart_coupon_apply(
        cart_id=shopper.cart_id, code="BIENVENIDA", customer_id=shopper.customer_id
    )

    outcomes = race(10, lambda i: _outcome(shopper))

    placed = [o for o in outcomes if isinstance(o, sales_services.PlacedOrder)]
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert len(placed) == 1, Counter(type(o).__name__ for o in outcomes)
    assert {o.code for o in refused} == {"coupon_first_order_only"}, refused[:3]
    assert Order.objects.filter(coupon_code="BIENVENIDA").count() == 1
