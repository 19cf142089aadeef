"""The OpenAPI spec describes what the API really does."""

import json

import pytest
from ninja.openapi.schema import OpenAPISchema, get_schema

from electropluz.api import api

pytestmark = pytest.mark.django_db


def _schema_with_collisions(monkeypatch) -> tuple[dict, list[str]]:
    """The spec, and every schema name that two different definitions claimed.

    django-ninja keeps the components of the spec in one dict by name, so two schema
    classes of the same name (``LineOut`` in two apps) silently overwrite each other.
    """
    collisions: list[str] = []
    original = OpenAPISchema.add_schema_definitions

    def checking(self, definitions):
        for name, definition in definitions.items():
            known = self.schemas.get(name)
            if known is not None and json.dumps(known, sort_keys=True) != json.dumps(
                definition, sort_keys=True
            ):
                collisions.append(name)
        original(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", checking)
    return get_schema(api), collisions


def test_no_two_schemas_share_a_name(monkeypatch):
    _spec, collisions = _schema_with_collisions(monkeypatch)
    assert sorted(set(collisions)) == [], sorted(set(collisions))


def test_the_cart_documents_its_own_lines_and_the_checkout_its_own_address(monkeypatch):
    spec, _collisions = _schema_with_collisions(monkeypatch)
    schemas = spec["components"]["schemas"]
    cart = spec["paths"]["/cart"]["get"]["responses"][200]["content"]["application/json"]
    cart_schema = schemas[cart["schema"]["$ref"].rsplit("/", 1)[-1]]
    line_ref = cart_schema["properties"]["lines"]["items"]["$ref"].rsplit("/", 1)[-1]
    assert {"variant_id", "available", "issues"} <= set(schemas[line_ref]["properties"])
    checkout = spec["paths"]["/checkout"]["post"]["requestBody"]["content"]
    body = schemas[checkout["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]]
    address = body["properties"]["shipping_address"]["anyOf"][0]["$ref"].rsplit("/", 1)[-1]
    assert "label" not in schemas[address]["properties"]  # not the address-book shape
    assert "is_default" not in schemas[address]["properties"]


# --- Every error answer is documented, in the error shape ---------------------------------

ERROR_REF = "#/components/schemas/ErrorOut"


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").json()


def _operations(spec):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path.removeprefix("/api/v1"), operation


def test_every_error_answer_is_documented_with_the_error_shape(spec):
    assert set(spec["components"]["schemas"]["ErrorOut"]["properties"]) == {"error"}
    body = spec["components"]["schemas"]["ErrorBody"]
    assert set(body["required"]) == {"code", "message"}
    for method, path, operation in _operations(spec):
        responses = {int(status): answer for status, answer in operation["responses"].items()}
        errors = {status: answer for status, answer in responses.items() if status >= 400}
        assert 400 in errors, (method, path)  # a NUL character, on every route
        for status, answer in errors.items():
            schema = answer["content"]["application/json"]["schema"]
            assert schema == {"$ref": ERROR_REF}, (method, path, status, schema)
        if operation.get("parameters") or operation.get("requestBody"):
            assert 422 in errors, (method, path)
        if "{" in path:
            assert 404 in errors, (method, path)
        if operation.get("security") and path.split("/")[1] != "cart":
            assert 401 in errors, (method, path)
        if path.startswith(("/manager/", "/coupons", "/stock/")) or (
            method != "GET" and operation.get("security")
        ):
            assert 403 in errors, (method, path)


def _documented(spec, method: str, path: str) -> set[int]:
    operation = spec["paths"]["/api/v1" + path][method.lower()]
    return {int(status) for status in operation["responses"]}


@pytest.fixture
def manager_client(client):
    from django.contrib.auth import get_user_model

    from apps.accounts import services as accounts_services

    user_id = accounts_services.user_create(
        email="gestor@example.com", password="Clave-segura-123", role="manager"
    )
    client.force_login(get_user_model().objects.get(pk=user_id))
    return client


def test_the_business_errors_operations_answer_are_documented(spec, manager_client):
    from tests.coupons.factories import make_coupon
    from tests.inventory.factories import first_variant_id, make_product

    variant_id = first_variant_id(make_product(price="10.00", stock=1))
    seen = []

    def call(method, template, url, body=None):
        response = getattr(manager_client, method.lower())(
            url, body, content_type="application/json"
        )
        assert response.status_code >= 400, (url, response.content)
        seen.append((method, template, response.status_code))

    call(
        "POST",
        "/manager/stock/adjust",
        "/api/v1/manager/stock/adjust",
        {"variant_id": variant_id, "delta": -5, "reason": "rotura"},
    )
    call(
        "POST",
        "/manager/stock/receive",
        "/api/v1/manager/stock/receive",
        {"variant_id": 999999, "quantity": 1},
    )
    call("POST", "/cart/lines", "/api/v1/cart/lines", {"variant_id": 999999, "quantity": 1})
    call("PATCH", "/cart/lines/{variant_id}", "/api/v1/cart/lines/999999", {"quantity": 1})
    manager_client.post(
        "/api/v1/cart/lines",
        {"variant_id": variant_id, "quantity": 1},
        content_type="application/json",
    )
    used_up = make_coupon(code="AGOTADO", max_uses=1)
    from apps.coupons.models import Coupon

    Coupon.objects.filter(pk=used_up).update(uses=1)
    call("POST", "/cart/coupon", "/api/v1/cart/coupon", {"code": "AGOTADO"})
    call("GET", "/orders/{number}", "/api/v1/orders/EP-NOPE")
    call("POST", "/coupons", "/api/v1/coupons", {"code": "X", "kind": "percentage"})
    for method, template, status in seen:
        assert status in _documented(spec, method, template), (method, template, status)
    assert {status for _m, _t, status in seen} >= {404, 409, 422}


def test_an_exhausted_coupon_is_409_coupon_exhausted_at_the_cart(manager_client):
    from apps.cart import selectors as cart_selectors
    from apps.coupons.models import Coupon
    from tests.coupons.factories import make_coupon
    from tests.helpers import assert_error_shape
    from tests.inventory.factories import first_variant_id, make_product

    variant_id = first_variant_id(make_product(price="50.00", stock=5))
    manager_client.post(
        "/api/v1/cart/lines",
        {"variant_id": variant_id, "quantity": 1},
        content_type="application/json",
    )
    coupon_id = make_coupon(code="ULTIMO", max_uses=1)
    assert (
        manager_client.post(
            "/api/v1/cart/coupon", {"code": "ULTIMO"}, content_type="application/json"
        ).status_code
        == 200
    )
    Coupon.objects.filter(pk=coupon_id).update(uses=1)  # someone else used the last one

    cart = manager_client.get("/api/v1/cart").json()
    assert cart["coupon_error_code"] == "coupon_exhausted"
    assert not cart["can_checkout"]
    assert_error_shape(
        manager_client.post(
            "/api/v1/cart/coupon", {"code": "ULTIMO"}, content_type="application/json"
        ),
        409,
        "coupon_exhausted",
    )
    user_id = int(manager_client.session["_auth_user_id"])
    priced = cart_selectors.cart_price(
        cart_id=cart_selectors.cart_find(user_id=user_id), customer_id=user_id
    )
    assert priced.coupon_error_code == "coupon_exhausted"


def test_an_exhausted_coupon_is_409_coupon_exhausted_at_the_checkout(manager_client):
    from apps.coupons.models import Coupon
    from tests.coupons.factories import make_coupon
    from tests.helpers import assert_error_shape
    from tests.inventory.factories import first_variant_id, make_product

    variant_id = first_variant_id(make_product(price="50.00", stock=5))
    manager_client.post(
        "/api/v1/cart/lines",
        {"variant_id": variant_id, "quantity": 1},
        content_type="application/json",
    )
    coupon_id = make_coupon(code="ULTIMO", max_uses=1)
    manager_client.post("/api/v1/cart/coupon", {"code": "ULTIMO"}, content_type="application/json")
    Coupon.objects.filter(pk=coupon_id).update(uses=1)
    response = manager_client.post(
        "/api/v1/checkout",
        {
            "shipping_address": {
                "full_name": "Ana",
                "line1": "Calle Mayor 1",
                "postal_code": "28013",
                "city": "Madrid",
            },
            "payment_method": "transfer",
        },
        content_type="application/json",
    )
    assert_error_shape(response, 409, "coupon_exhausted")
