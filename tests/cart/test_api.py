import pytest
from django.test import Client

from apps.cart.models import CartLine
from tests.helpers import assert_error_shape
from tests.inventory.factories import first_variant_id, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def variant():
    return first_variant_id(make_product(name="Teclado Ergo", price="40.00", stock=3))


def _json(client, method, path, body=None, **extra):
    return getattr(client, method)(path, body, content_type="application/json", **extra)


def test_anonymous_visitor_uses_the_cart_api_with_the_session_and_csrf(variant):
    client = Client(enforce_csrf_checks=True)
    response = client.get("/api/v1/cart")
    assert response.status_code == 200
    assert response.json()["lines"] == []
    token = client.cookies["csrftoken"].value

    refused = _json(client, "post", "/api/v1/cart/lines", {"variant_id": variant, "quantity": 1})
    assert refused.status_code == 403
    assert not CartLine.objects.exists()

    added = _json(
        client,
        "post",
        "/api/v1/cart/lines",
        {"variant_id": variant, "quantity": 5},
        HTTP_X_CSRFTOKEN=token,
    )
    body = added.json()
    assert added.status_code == 200, body
    assert body["lines"][0]["quantity"] == 3
    assert "Solo quedan 3" in body["message"]
    assert body["subtotal"] == "120.00" and body["shipping"] == "0.00" and body["total"] == "120.00"

    changed = _json(
        client, "patch", f"/api/v1/cart/lines/{variant}", {"quantity": 1}, HTTP_X_CSRFTOKEN=token
    )
    assert changed.json()["total"] == "44.99"
    removed = client.delete(f"/api/v1/cart/lines/{variant}", HTTP_X_CSRFTOKEN=token)
    assert removed.json()["lines"] == []


def test_cart_api_errors_come_in_the_error_shape(client, variant):
    assert_error_shape(
        _json(client, "post", "/api/v1/cart/lines", {"variant_id": 999999}),
        409,
        "product_unavailable",
    )
    assert_error_shape(
        _json(client, "post", "/api/v1/cart/lines", {"variant_id": "x"}), 422, "invalid"
    )
    assert_error_shape(
        _json(client, "patch", f"/api/v1/cart/lines/{variant}", {"quantity": 2}), 404, "not_found"
    )
    assert_error_shape(_json(client, "post", "/api/v1/cart/coupon", {"code": "NOPE"}), 422)


def test_extra_fields_cannot_set_prices(client, variant):
    response = _json(
        client,
        "post",
        "/api/v1/cart/lines",
        {"variant_id": variant, "quantity": 1, "unit_price": "0.01", "total": "0"},
    )
    assert response.json()["lines"][0]["unit_price"] == "40.00"
