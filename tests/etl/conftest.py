"""A small shop built through the apps' services at chosen shop-local times, and the ETL."""

import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.cart import services as cart_services
from apps.sales import services as sales_services
from apps.sales.models import Refund
from tests.inventory.factories import BrandFactory, CategoryFactory, first_variant_id, make_product
from tests.sales.factories import APPROVED, make_customer

MADRID = ZoneInfo("Europe/Madrid")
WAREHOUSE = ["default", "warehouse"]


def at(*parts) -> datetime:
    """A shop-local (Madrid) moment."""
    return datetime(*parts, tzinfo=MADRID)


def address(postal_code="28013", province="Madrid"):
    return sales_services.ShippingAddress(
        full_name="Ana Martín",
        line1="Calle Mayor 1",
        postal_code=postal_code,
        city="Ciudad",
        province=province,
    )


@dataclasses.dataclass
class Shop:
    """Places orders at a given moment through the real checkout."""

    def variant(self, *, name, price, category, brand=None, stock=100) -> int:
        product = make_product(name=name, price=price, stock=stock, category=category, brand=brand)
        return first_variant_id(product)

    def customer(self, email=None) -> int:
        return make_customer(email)

    def order(self, when, customer_id, items, *, method="card", coupon="", postal="28013"):
        with time_machine.travel(when, tick=False):
            cart_id = cart_services.cart_open(user_id=customer_id)
            for variant_id, quantity in items:
                cart_services.cart_line_add(
                    cart_id=cart_id, variant_id=variant_id, quantity=quantity
                )
            if coupon:
                cart_services.cart_coupon_apply(
                    cart_id=cart_id, code=coupon, customer_id=customer_id
                )
            placed = sales_services.order_place(
                cart_id=cart_id,
                customer_id=customer_id,
                email=f"c{customer_id}@example.com",
                shipping_address=address(postal),
                payment_method=method,
                card=APPROVED if method == "card" else None,
            )
        return placed.number

    def cancel(self, when, number, customer_id):
        with time_machine.travel(when, tick=False):
            sales_services.order_cancel(order_number=number, customer_id=customer_id)

    def refund(self, when, number, amount):
        with time_machine.travel(when, tick=False):
            sales_services.order_refund(order_number=number, amount=amount, by_user_id=None)
            refund = Refund.objects.filter(order__number=number).order_by("-pk").first()
            if refund.status == Refund.Status.PENDING:  # in a test transaction, nothing commits
                assert sales_services.refund_execute(refund_id=refund.pk)
            refund.refresh_from_db()
            assert refund.status == Refund.Status.SUCCEEDED


@pytest.fixture
def shop():
    return Shop()


@pytest.fixture
def categories():
    return (
        CategoryFactory(name="Portátiles", slug="portatiles"),
        CategoryFactory(name="Accesorios", slug="accesorios"),
        BrandFactory(name="Zenit", slug="zenit"),
    )


def etl_at(when, **options):
    """Run the whole ETL as if it were ``when``."""
    from etl import services

    with time_machine.travel(when, tick=False):
        return services.etl_run(**options)


@pytest.fixture(params=["python", "set-based"])
def etl_path(request, settings):
    """Runs a test through both ways of loading sales: the Python stages (any database) and
    the set-based SQL (PostgreSQL only; skipped elsewhere)."""
    from django.db import connections

    if request.param == "set-based" and connections["warehouse"].vendor != "postgresql":
        pytest.skip("the set-based sales load needs PostgreSQL")
    settings.ETL_SET_BASED = request.param == "set-based"
    return request.param
