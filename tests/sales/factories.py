"""A customer with a filled cart, set up through the apps' own services."""

import dataclasses

from django.contrib.auth import get_user_model

from apps.accounts import services as accounts_services
from apps.cart import services as cart_services
from apps.sales import services as sales_services
from tests.inventory.factories import first_variant_id, make_product

ADDRESS = sales_services.ShippingAddress(
    full_name="Ana Martín",
    line1="Calle Mayor 1, 3º B",
    postal_code="28013",
    city="Madrid",
    province="Madrid",
    phone="600 000 000",
)
APPROVED = sales_services.CardInput(
    number="4242 4242 4242 4242", exp_month=12, exp_year=2030, cvc="123"
)
DECLINED = sales_services.CardInput(
    number="4000000000000002", exp_month=12, exp_year=2030, cvc="123"
)
NO_FUNDS = sales_services.CardInput(
    number="4000000000009995", exp_month=12, exp_year=2030, cvc="123"
)
TIMEOUT = sales_services.CardInput(
    number="4000000000000119", exp_month=12, exp_year=2030, cvc="123"
)

_n = iter(range(1, 10**9))


def make_customer(email: str | None = None) -> int:
    return accounts_services.user_create(
        email=email or f"cliente{next(_n)}@example.com", password="Clave-segura-123"
    )


def user(user_id: int):
    return get_user_model().objects.get(pk=user_id)


@dataclasses.dataclass
class Shopper:
    customer_id: int
    cart_id: int
    email: str

    def add(self, variant_id: int, quantity: int = 1) -> None:
        cart_services.cart_line_add(cart_id=self.cart_id, variant_id=variant_id, quantity=quantity)

    def place(self, *, payment_method="transfer", card=None, **extra):
        return sales_services.order_place(
            cart_id=self.cart_id,
            customer_id=self.customer_id,
            email=self.email,
            shipping_address=ADDRESS,
            payment_method=payment_method,
            card=card,
            **extra,
        )


def make_shopper(email: str | None = None) -> Shopper:
    customer_id = make_customer(email)
    return Shopper(
        customer_id=customer_id,
        cart_id=cart_services.cart_open(user_id=customer_id),
        email=user(customer_id).email,
    )


def make_variant(*, price="100.00", stock=10, name=None) -> int:
    return first_variant_id(
        make_product(name=name or f"Producto {next(_n)}", price=price, stock=stock)
    )
