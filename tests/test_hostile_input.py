"""Hostile input (RELIABILITY S-12): NUL characters, integers past their columns and page
numbers past any table get a clear 4xx, in the API and on the pages, never a 500."""

import pytest
from django.contrib.auth import get_user_model

from apps.accounts import services as accounts_services
from apps.inventory import services as inventory_services
from tests.helpers import assert_error_shape
from tests.inventory.factories import first_variant_id, make_product

pytestmark = pytest.mark.django_db

BIG = 3_000_000_000  # past a 32-bit column
HUGE = 9_223_372_036_854_775_807  # the largest 64-bit integer


def _login(client, *, role=None, email="ana@example.com"):
    kwargs = {"role": role} if role else {}
    user_id = accounts_services.user_create(email=email, password="Clave-segura-123", **kwargs)
    client.force_login(get_user_model().objects.get(pk=user_id))
    return user_id


@pytest.fixture
def manager_client(client):
    _login(client, role="manager", email="gestor@example.com")
    return client


@pytest.fixture
def customer_client(client):
    _login(client)
    return client


# --- NUL characters: refused once, for every page and API route ----------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/products?q=tv%00",
        "/api/v1/products?brand=astra%00",
        "/api/v1/orders/EP-1%00",
    ],
)
def test_a_nul_anywhere_in_an_api_url_is_a_400_in_the_error_shape(customer_client, url):
    assert_error_shape(customer_client.get(url), 400, "invalid_characters")


def test_a_nul_in_a_json_body_is_a_400(customer_client):
    response = customer_client.post(
        "/api/v1/me/addresses",
        '{"full_name": "Ana", "line1": "Calle\\u0000 Mayor 1", "postal_code": "28001", "city": "Madrid"}',
        content_type="application/json",
    )
    assert_error_shape(response, 400, "invalid_characters")
    assert customer_client.get("/api/v1/me/addresses").json() == []


def test_a_nul_in_a_manager_write_is_a_400(manager_client):
    variant_id = first_variant_id(make_product(price="10.00"))
    response = manager_client.post(
        "/api/v1/manager/stock/adjust",
        {"variant_id": variant_id, "delta": 1, "reason": "recuento\x00"},
        content_type="application/json",
    )
    assert_error_shape(response, 400, "invalid_characters")


@pytest.mark.parametrize("url", ["/productos/?q=port%00atil", "/productos/?brand=a%00"])
def test_a_nul_in_a_page_query_is_a_clear_400_page(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "carácter nulo" in response.content.decode()


def test_a_nul_in_a_posted_form_is_a_400_and_nothing_is_saved(customer_client):
    response = customer_client.post(
        "/cuenta/direcciones/nueva/",
        {"full_name": "Ana\x00", "line1": "Calle Mayor 1", "postal_code": "28001", "city": "X"},
    )
    assert response.status_code == 400
    assert customer_client.get("/api/v1/me/addresses").json() == []


def test_a_nul_in_a_cookie_is_a_400(client):
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert client.get("/").status_code == 400


def test_binary_uploads_are_not_mistaken_for_nul_text(manager_client):
    """An XLSX is binary (full of NUL bytes): the guard reads form fields, not files."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("stock.csv", b"sku,on_hand\x00\n", content_type="text/csv")
    response = manager_client.post(
        "/dashboard/catalogo/importar/", {"kind": "stock", "file": upload}
    )
    assert response.status_code == 200
    assert "no es un CSV de texto" in response.content.decode()


# --- Integers bounded by their columns and by business sense -------------------------------


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/manager/stock/adjust", {"delta": BIG, "reason": "recuento"}),
        ("/api/v1/manager/stock/adjust", {"delta": -BIG, "reason": "recuento"}),
        ("/api/v1/manager/stock/receive", {"quantity": BIG}),
        ("/api/v1/manager/stock/receive", {"quantity": HUGE}),
    ],
)
def test_stock_quantities_past_any_column_are_422(manager_client, url, body):
    variant_id = first_variant_id(make_product(price="10.00"))
    response = manager_client.post(
        url, {"variant_id": variant_id, **body}, content_type="application/json"
    )
    assert_error_shape(response, 422, "invalid")


@pytest.mark.parametrize(
    "extra",
    [
        {"max_uses": 99_999_999_999},
        {"max_uses_per_customer": BIG},
        {"category_ids": [HUGE * 4]},
    ],
)
def test_coupon_integers_past_their_columns_are_422(manager_client, extra):
    response = manager_client.post(
        "/api/v1/coupons",
        {"code": "GRANDE", "kind": "percentage", "value": "10", **extra},
        content_type="application/json",
    )
    assert_error_shape(response, 422, "invalid")


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", "/api/v1/manager/stock/receive", {"variant_id": HUGE * 2, "quantity": 1}),
        (
            "post",
            "/api/v1/manager/products",
            {"name": "X", "category_id": HUGE * 2, "variants": [{"sku": "X-1", "price": "1.00"}]},
        ),
        ("get", f"/api/v1/coupons/report?coupon_id={HUGE * 2}", None),
    ],
)
def test_ids_past_a_bigint_are_422(manager_client, method, url, body):
    kwargs = {"content_type": "application/json"} if body is not None else {}
    response = getattr(manager_client, method)(url, body, **kwargs)
    assert_error_shape(response, 422, "invalid")


def test_refund_restock_quantities_are_bounded(manager_client):
    response = manager_client.post(
        "/api/v1/manager/orders/EP-1/refund",
        {"restock": [{"line_id": 1, "quantity": BIG}]},
        content_type="application/json",
    )
    assert_error_shape(response, 422, "invalid")


def test_initial_stock_and_thresholds_are_bounded(manager_client):
    from tests.inventory.factories import CategoryFactory

    category = CategoryFactory()
    response = manager_client.post(
        "/api/v1/manager/products",
        {
            "name": "Cable",
            "category_id": category.pk,
            "variants": [{"sku": "CAB-1", "price": "5.00", "initial_stock": BIG}],
        },
        content_type="application/json",
    )
    assert_error_shape(response, 422, "invalid")


def test_receiving_stock_never_overflows_the_column(manager_client):
    variant_id = first_variant_id(make_product(price="10.00"))
    for _ in range(3):
        inventory_services.stock_receive(
            variant_id=variant_id,
            quantity=inventory_services.STOCK_MOVEMENT_MAX,
            user_id=None,
        )
    inventory_services.stock_adjust(
        variant_id=variant_id,
        delta=inventory_services.STOCK_MOVEMENT_MAX,
        reason="recuento",
        user_id=None,
    )
    from apps.inventory.models import Variant

    Variant.objects.filter(pk=variant_id).update(on_hand=inventory_services.ON_HAND_MAX - 5)
    response = manager_client.post(
        "/api/v1/manager/stock/receive",
        {"variant_id": variant_id, "quantity": 10},
        content_type="application/json",
    )
    assert_error_shape(response, 422)


# --- Page numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/products?page={HUGE}",
        f"/api/v1/products?page={HUGE * 10}",
        f"/api/v1/orders?page={HUGE}",
        f"/api/v1/coupons?page={HUGE}",
        f"/api/v1/manager/orders?page={HUGE}",
        "/api/v1/products?page=100001",
        f"/api/v1/products?page_size={HUGE}",
    ],
)
def test_huge_page_numbers_on_api_lists_are_422(manager_client, url):
    assert_error_shape(manager_client.get(url), 422, "invalid")


def test_a_page_past_the_end_within_bounds_is_an_empty_page(client):
    make_product(price="10.00")
    body = client.get("/api/v1/products?page=100000").json()
    assert body == {"items": [], "count": 1}


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/products/{HUGE * 3}",
        f"/api/v1/coupons/{HUGE * 3}",
        f"/api/v1/me/addresses/{HUGE * 3}",
    ],
)
def test_ids_past_a_bigint_in_a_path_are_404(manager_client, url):
    assert_error_shape(manager_client.get(url), 404)
