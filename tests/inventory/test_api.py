import pytest

from apps.accounts import services as accounts_services
from apps.inventory import selectors as inventory_selectors
from apps.inventory.models import Product
from tests.helpers import assert_error_shape
from tests.inventory.factories import BrandFactory, CategoryFactory, first_variant_id, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    user_id = accounts_services.user_create(
        email="gestor@example.com", password="Clave-segura-123", role="manager"
    )
    client.force_login(_user(user_id))
    return client


@pytest.fixture
def customer_client(client):
    user_id = accounts_services.user_create(email="ana@example.com", password="Clave-segura-123")
    client.force_login(_user(user_id))
    return client


def _user(user_id):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=user_id)


def test_products_list_filters_sorts_and_paginates(client):
    category = CategoryFactory(name="Móviles", slug="moviles")
    brand = BrandFactory(name="Astra", slug="astra")
    for i in range(30):
        make_product(name=f"Móvil {i:02d}", category=category, brand=brand, price=f"{100 + i}.00")
    response = client.get("/api/v1/products?category=moviles&sort=price_desc&page=2")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 30
    assert [item["name"] for item in body["items"][:2]] == ["Móvil 05", "Móvil 04"]
    assert body["items"][0]["brand"] == "Astra"
    assert body["items"][0]["price_from"] == "105.00"


def test_product_detail_and_404_in_the_error_shape(client):
    product_id = make_product(
        name="Altavoz Go", price="49.90", specifications=[["Potencia", "20 W"]]
    )
    body = client.get(f"/api/v1/products/{product_id}").json()
    assert body["specifications"] == [["Potencia", "20 W"]]
    assert body["variants"][0]["price"] == "49.90"
    assert_error_shape(client.get("/api/v1/products/999999"), 404, "not_found")


def test_bad_filters_are_rejected_with_422(client):
    error = assert_error_shape(
        client.get("/api/v1/products?sort=hack&price_min=-3"), 422, "invalid"
    )
    assert {tuple(d["loc"])[-1] for d in error["details"]} == {"sort", "price_min"}


def test_categories_are_listed_with_their_depth(client):
    parent = CategoryFactory(name="Sonido", slug="sonido")
    CategoryFactory(name="Auriculares", slug="auriculares", parent=parent)
    body = client.get("/api/v1/categories").json()
    assert [(c["slug"], c["depth"]) for c in body] == [("sonido", 0), ("auriculares", 1)]


def test_a_manager_creates_a_product_and_extra_fields_are_ignored(manager_client):
    category = CategoryFactory()
    response = manager_client.post(
        "/api/v1/manager/products",
        {
            "name": "Tablet Helio Tab 11",
            "category_id": category.pk,
            "variants": [{"sku": "hel-11", "price": "299.00", "initial_stock": 4}],
            "price_from": "0.01",
            "units_sold_30d": 999,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    product = Product.objects.get(name="Tablet Helio Tab 11")
    assert str(product.price_from) == "299.00"
    assert product.units_sold_30d == 0
    assert response.json()["variants"][0]["sku"] == "HEL-11"


def test_manager_validation_errors_come_in_the_error_shape(manager_client):
    category = CategoryFactory()
    payload = {"name": "X", "category_id": category.pk, "variants": [{"sku": "A", "price": "-1"}]}
    assert_error_shape(
        manager_client.post("/api/v1/manager/products", payload, content_type="application/json"),
        422,
        "invalid",
    )
    payload["category_id"] = 999999
    payload["variants"][0]["price"] = "10"
    error = assert_error_shape(
        manager_client.post("/api/v1/manager/products", payload, content_type="application/json"),
        422,
        "invalid",
    )
    assert error["details"] == {"category_id": "unknown"}


def test_stock_receive_and_adjust_through_the_api(manager_client):
    variant = first_variant_id(make_product(stock=2))
    response = manager_client.post(
        "/api/v1/manager/stock/receive",
        {"variant_id": variant, "quantity": 5},
        content_type="application/json",
    )
    assert response.json() == {"variant_id": variant, "on_hand": 7}
    error = assert_error_shape(
        manager_client.post(
            "/api/v1/manager/stock/adjust",
            {"variant_id": variant, "delta": -8, "reason": "Recuento"},
            content_type="application/json",
        ),
        409,
        "out_of_stock",
    )
    assert error["message"]
    assert inventory_selectors.variant_stock(variant_id=variant) == 7


def test_manager_routes_refuse_customers_and_anonymous(client, customer_client):
    variant = first_variant_id(make_product(stock=2))
    body = {"variant_id": variant, "quantity": 5}
    assert_error_shape(
        customer_client.post(
            "/api/v1/manager/stock/receive", body, content_type="application/json"
        ),
        403,
        "permission_denied",
    )
    customer_client.logout()
    assert_error_shape(
        client.post("/api/v1/manager/stock/receive", body, content_type="application/json"),
        401,
        "not_authenticated",
    )
    assert inventory_selectors.variant_stock(variant_id=variant) == 2


def test_wrong_method_answers_in_the_error_shape(client):
    assert_error_shape(client.delete("/api/v1/categories"), 405, "method_not_allowed")
