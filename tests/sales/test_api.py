import json

import pytest
from django.test import Client

from apps.accounts import services as accounts_services
from apps.sales.models import IdempotencyKey, Order, Payment
from tests.helpers import assert_error_shape
from tests.sales.factories import make_shopper, make_variant, user

pytestmark = pytest.mark.django_db

ADDRESS = {
    "full_name": "Ana Martín",
    "line1": "Calle Mayor 1",
    "postal_code": "28013",
    "city": "Madrid",
}
CARD = {"number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}


@pytest.fixture
def shopper_client():
    shopper = make_shopper()
    shopper.add(make_variant(price="80.00", stock=5), 1)
    client = Client()
    client.force_login(user(shopper.customer_id))
    return shopper, client


def _checkout(client, body, **headers):
    return client.post(
        "/api/v1/checkout", json.dumps(body), content_type="application/json", **headers
    )


def test_checkout_by_card_then_read_the_order(shopper_client):
    _shopper, client = shopper_client
    response = _checkout(
        client, {"shipping_address": ADDRESS, "payment_method": "card", "card": CARD}
    )
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    assert response.json()["status"] == "paid"
    detail = client.get(f"/api/v1/orders/{number}").json()
    assert detail["total"] == "80.00" and detail["lines"][0]["quantity"] == 1
    assert client.get("/api/v1/orders").json()["count"] == 1


def test_declined_card_is_a_402_in_the_error_shape(shopper_client):
    _shopper, client = shopper_client
    card = {**CARD, "number": "4000000000000002"}
    error = assert_error_shape(
        _checkout(client, {"shipping_address": ADDRESS, "payment_method": "card", "card": card}),
        402,
        "payment_declined",
    )
    assert "rechazado" in error["message"]


def test_replayed_key_gives_the_first_answer_and_creates_nothing(shopper_client):
    _shopper, client = shopper_client
    body = {"shipping_address": ADDRESS, "payment_method": "card", "card": CARD}
    first = _checkout(client, body, HTTP_IDEMPOTENCY_KEY="key-1")
    again = _checkout(client, body, HTTP_IDEMPOTENCY_KEY="key-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Order.objects.count() == 1 and Payment.objects.count() == 1
    # The same key with another body is refused without side effects.
    other = {**body, "shipping_method": "express"}
    assert_error_shape(
        _checkout(client, other, HTTP_IDEMPOTENCY_KEY="key-1"), 422, "idempotency_key_reused"
    )
    assert Order.objects.count() == 1
    stored = IdempotencyKey.objects.get()
    assert "4242424242424242" not in json.dumps(stored.response_body) and stored.request_hash


def test_another_customers_order_is_not_found(shopper_client):
    _shopper, client = shopper_client
    number = _checkout(client, {"shipping_address": ADDRESS, "payment_method": "transfer"}).json()[
        "number"
    ]
    other = Client()
    other.force_login(user(make_shopper().customer_id))
    assert_error_shape(other.get(f"/api/v1/orders/{number}"), 404, "not_found")
    assert_error_shape(other.post(f"/api/v1/orders/{number}/cancel"), 404, "not_found")
    assert client.post(f"/api/v1/orders/{number}/cancel").json()["status"] == "cancelled"


def test_extra_fields_cannot_change_what_is_charged(shopper_client):
    _shopper, client = shopper_client
    response = _checkout(
        client,
        {
            "shipping_address": ADDRESS,
            "payment_method": "transfer",
            "total": "0.01",
            "discount": "80",
            "status": "paid",
        },
    )
    order = Order.objects.get(number=response.json()["number"])
    assert (order.total, order.status) == (order.subtotal, "pending_payment")


def test_address_from_the_address_book_must_be_ones_own(shopper_client):
    _shopper, client = shopper_client
    stranger = make_shopper()
    foreign = accounts_services.address_create(
        user_id=stranger.customer_id,
        full_name="Bea",
        line1="Otra calle 2",
        postal_code="08001",
        city="Barcelona",
    )
    response = _checkout(client, {"address_id": foreign, "payment_method": "transfer"})
    assert response.status_code == 404
    assert not Order.objects.exists()


@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # the refund is paid out after the commit
def test_manager_moves_and_refunds_orders(shopper_client):
    _shopper, client = shopper_client
    number = _checkout(client, {"shipping_address": ADDRESS, "payment_method": "transfer"}).json()[
        "number"
    ]
    manager = Client()
    manager.force_login(
        user(
            accounts_services.user_create(
                email="g@example.com", password="x-Clave-123", role="manager"
            )
        )
    )
    listed = manager.get("/api/v1/manager/orders?status=pending_payment").json()
    assert [o["number"] for o in listed["items"]] == [number]
    paid = manager.post(
        f"/api/v1/manager/orders/{number}/transition",
        {"to_status": "paid", "note": "Transferencia recibida"},
        content_type="application/json",
    ).json()
    assert paid["status"] == "paid" and "preparing" in paid["allowed_transitions"]
    refunded = manager.post(
        f"/api/v1/manager/orders/{number}/refund",
        {"amount": "10.00"},
        content_type="application/json",
    ).json()
    assert refunded["refunded"] == "10.00"
    assert_error_shape(
        manager.post(
            f"/api/v1/manager/orders/{number}/transition",
            {"to_status": "delivered"},
            content_type="application/json",
        ),
        409,
        "illegal_transition",
    )
    assert_error_shape(client.get("/api/v1/manager/orders"), 403, "permission_denied")


def test_the_checkout_declares_its_idempotency_key_in_the_schema(client):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/checkout"]["post"]
    header = next(p for p in operation["parameters"] if p["in"] == "header")
    assert header["name"] == "Idempotency-Key" and header["required"] is False
    assert "409" in operation["responses"] and "422" in operation["responses"]


def test_the_api_checkout_refuses_a_cart_that_changed_since_it_was_shown(shopper_client):
    shopper, client = shopper_client
    shown = client.get("/api/v1/cart").json()["signature"]
    shopper.add(make_variant(price="10.00", stock=5), 1)  # another tab added something
    body = {"shipping_address": ADDRESS, "payment_method": "transfer", "cart_signature": shown}
    error = assert_error_shape(_checkout(client, body), 409, "cart_changed")
    assert "han cambiado" in error["message"]
    assert not Order.objects.exists()

    current = client.get("/api/v1/cart").json()["signature"]
    placed = _checkout(client, body | {"cart_signature": current})
    assert placed.status_code == 201 and str(Order.objects.get().total) == placed.json()["total"]
