"""S-08: script tags and attribute-breaking quotes are shown escaped everywhere."""

import pytest
from django.test import Client

from apps.accounts import services as accounts_services
from apps.cart import services as cart_services
from apps.sales import services as sales_services
from tests.inventory.factories import BrandFactory, CategoryFactory, first_variant_id, make_product

pytestmark = pytest.mark.django_db

EVIL = '"><script>alert("x")</script>'


def _client_for(email, role="customer"):
    from django.contrib.auth import get_user_model

    user_id = accounts_services.user_create(
        email=email, password="x-Clave-123", role=role, first_name=EVIL
    )
    client = Client()
    client.force_login(get_user_model().objects.get(pk=user_id))
    return user_id, client


def test_hostile_names_and_addresses_are_escaped_in_the_shop_and_the_dashboard():
    category = CategoryFactory(name=f"Cat {EVIL}", slug="cat")
    brand = BrandFactory(name=f"Marca {EVIL}", slug="marca")
    product_id = make_product(
        name=f"Producto {EVIL}",
        category=category,
        brand=brand,
        specifications=[[f"Spec {EVIL}", EVIL]],
        description=EVIL,
    )
    variant = first_variant_id(product_id)
    customer_id, customer = _client_for("ana@example.com")
    cart_id = cart_services.cart_open(user_id=customer_id)
    cart_services.cart_line_add(cart_id=cart_id, variant_id=variant)
    number = sales_services.order_place(
        cart_id=cart_id,
        customer_id=customer_id,
        email="ana@example.com",
        shipping_address=sales_services.ShippingAddress(
            full_name=EVIL, line1=EVIL, postal_code="28001", city=EVIL
        ),
        payment_method="transfer",
    ).number
    _, manager = _client_for("gestor@example.com", role="manager")

    from apps.inventory.models import Product

    slug = Product.objects.get(pk=product_id).slug
    pages = [
        (customer, "/"),
        (customer, "/productos/"),
        (customer, "/categoria/cat/"),
        (customer, f"/producto/{slug}/"),
        (customer, f"/productos/?q={EVIL}"),
        (customer, f"/cuenta/pedidos/{number}/"),
        (manager, "/dashboard/catalogo/"),
        (manager, f"/dashboard/catalogo/productos/{product_id}/"),
        (manager, "/dashboard/pedidos/"),
        (manager, f"/dashboard/pedidos/{number}/"),
    ]
    for client, path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert '<script>alert("x")</script>' not in html, path
        assert "&lt;script&gt;" in html, path
