"""The cache is optional: with its server gone the shop answers, a little slower (F-03)."""

import socket

import pytest
from django.core.cache import cache

from apps.inventory.models import Product
from electropluz.settings.base import redis_cache
from tests.inventory.factories import first_variant_id, make_product
from tests.sales.factories import make_shopper, user

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    """A loopback port nothing listens on: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{_closed_port()}/0")}
    assert cache.get("anything", "missing") == "missing"  # the real backend, answering a miss
    cache.set("k", "v")
    assert cache.get("k") is None
    return settings


def test_the_shop_pages_answer_with_the_cache_server_down(cache_down, client):
    product_id = make_product(name="Portátil Zenit 15", price="999.00", stock=5)
    product = Product.objects.select_related("category").get(pk=product_id)

    for url in (
        "/",
        "/productos/",
        f"/categoria/{product.category.slug}/",
        f"/producto/{product.slug}/",
    ):
        assert client.get(url).status_code == 200, url

    added = client.post("/carrito/anadir/", {"variant_id": first_variant_id(product_id)})
    assert added.status_code == 302
    cart = client.get("/carrito/")
    assert cart.status_code == 200 and "Portátil Zenit 15" in cart.content.decode()


def test_a_customer_checks_out_with_the_cache_server_down(cache_down, client):
    shopper = make_shopper()
    shopper.add(first_variant_id(make_product(price="50.00", stock=3)), 1)
    client.force_login(user(shopper.customer_id))  # the session lives in the database

    page = client.get("/pedido/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name != "save_address"}
    data |= {
        "action": "place",
        "payment_method": "transfer",
        "full_name": "Ana Martín",
        "line1": "Calle Mayor 1",
        "postal_code": "28013",
        "city": "Madrid",
    }
    placed = client.post("/pedido/", {k: str(v) for k, v in data.items()})
    assert placed.status_code == 302 and "/confirmacion/" in placed["Location"]
    assert client.get(placed["Location"]).status_code == 200


def test_readiness_still_reports_the_cache_down(cache_down, client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "error"
