from decimal import Decimal

import pytest

from apps.cart import selectors as cart_selectors
from apps.cart import services as cart_services
from apps.cart.models import Cart, CartLine
from apps.inventory import services as inventory_services
from tests.inventory.factories import first_variant_id, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer_id():
    from apps.accounts import services as accounts_services

    return accounts_services.user_create(email="ana@example.com", password="Clave-segura-123")


def test_add_caps_by_stock_and_says_so():
    variant = first_variant_id(make_product(name="Ratón Kappa", stock=3))
    cart_id = cart_services.cart_open(session_key="s1")
    change = cart_services.cart_line_add(cart_id=cart_id, variant_id=variant, quantity=2)
    assert (change.quantity, change.capped) == (2, False)
    change = cart_services.cart_line_add(cart_id=cart_id, variant_id=variant, quantity=5)
    assert (change.quantity, change.requested, change.capped) == (3, 7, True)
    assert "Solo quedan 3" in change.message


def test_add_caps_by_the_per_line_maximum(settings):
    settings.CART_MAX_PER_LINE = 4
    variant = first_variant_id(make_product(stock=100))
    cart_id = cart_services.cart_open(session_key="s1")
    change = cart_services.cart_line_add(cart_id=cart_id, variant_id=variant, quantity=9)
    assert change.quantity == 4
    assert "como máximo 4" in change.message


def test_sold_out_or_withdrawn_products_cannot_be_added():
    sold_out = first_variant_id(make_product(stock=0))
    cart_id = cart_services.cart_open(session_key="s1")
    with pytest.raises(cart_services.ProductNotAvailableError) as error:
        cart_services.cart_line_add(cart_id=cart_id, variant_id=sold_out)
    assert error.value.code == "out_of_stock"
    with pytest.raises(cart_services.ProductNotAvailableError):
        cart_services.cart_line_add(cart_id=cart_id, variant_id=987654)
    assert not CartLine.objects.exists()


@pytest.mark.parametrize("quantity", ["abc", "-1", None])
def test_bad_quantities_are_refused(quantity):
    variant = first_variant_id(make_product(stock=5))
    cart_id = cart_services.cart_open(session_key="s1")
    with pytest.raises(cart_services.CartError):
        cart_services.cart_line_add(cart_id=cart_id, variant_id=variant, quantity=quantity)


def test_set_zero_removes_and_remove_missing_is_not_found():
    variant = first_variant_id(make_product(stock=5))
    cart_id = cart_services.cart_open(session_key="s1")
    cart_services.cart_line_add(cart_id=cart_id, variant_id=variant, quantity=2)
    cart_services.cart_line_set(cart_id=cart_id, variant_id=variant, quantity=0)
    assert not CartLine.objects.exists()
    with pytest.raises(cart_services.NotFoundError):
        cart_services.cart_line_remove(cart_id=cart_id, variant_id=variant)


def test_priced_cart_is_recomputed_from_inventory_and_flags_changes():
    product = make_product(name="Altavoz Go", price="30.00", stock=5)
    variant = first_variant_id(product)
    cart_id = cart_services.cart_open(session_key="s1")
    cart_services.cart_line_add(cart_id=cart_id, variant_id=variant, quantity=2)

    priced = cart_selectors.cart_price(cart_id=cart_id)
    assert (priced.subtotal, priced.shipping, priced.total) == (
        Decimal("60.00"),
        Decimal("0.00"),
        Decimal("60.00"),
    )
    assert priced.tax == Decimal("10.41")
    assert priced.can_checkout

    inventory_services.variant_update(variant_id=variant, price="35.00")
    inventory_services.stock_adjust(variant_id=variant, delta=-4, reason="Rotura", user_id=None)
    priced = cart_selectors.cart_price(cart_id=cart_id)
    line = priced.lines[0]
    assert set(line.issues) == {"price_changed", "not_enough_stock"}
    assert not priced.can_checkout
    assert any("ahora 35,00\u00a0€" in message for message in line.messages)

    cart_services.cart_confirm_changes(cart_id=cart_id)
    priced = cart_selectors.cart_price(cart_id=cart_id)
    assert priced.lines[0].quantity == 1 and priced.lines[0].issues == ()
    assert priced.total == Decimal("39.99")  # 35.00 + 4.99 shipping
    assert priced.can_checkout


def test_deactivated_product_blocks_checkout_until_confirmed():
    product = make_product(stock=5)
    variant = first_variant_id(product)
    cart_id = cart_services.cart_open(session_key="s1")
    cart_services.cart_line_add(cart_id=cart_id, variant_id=variant)
    inventory_services.product_update(product_id=product, is_active=False)
    priced = cart_selectors.cart_price(cart_id=cart_id)
    assert priced.lines[0].issues == ("unavailable",)
    assert priced.total == Decimal("0.00")
    cart_services.cart_confirm_changes(cart_id=cart_id)
    assert cart_selectors.cart_price(cart_id=cart_id).lines == ()


def test_save_for_later_needs_an_account_and_moves_lines(customer_id):
    variant = first_variant_id(make_product(stock=5))
    anonymous = cart_services.cart_open(session_key="s1")
    cart_services.cart_line_add(cart_id=anonymous, variant_id=variant)
    with pytest.raises(cart_services.CartError):
        cart_services.cart_line_save_for_later(cart_id=anonymous, variant_id=variant)

    cart_id = cart_services.cart_open(user_id=customer_id)
    cart_services.cart_line_add(cart_id=cart_id, variant_id=variant, quantity=2)
    cart_services.cart_line_save_for_later(cart_id=cart_id, variant_id=variant)
    priced = cart_selectors.cart_price(cart_id=cart_id)
    assert priced.lines == () and priced.saved[0].quantity == 2
    cart_services.cart_line_save_for_later(cart_id=cart_id, variant_id=variant, saved=False)
    assert cart_selectors.cart_price(cart_id=cart_id).lines[0].quantity == 2


def test_merge_adds_quantities_capped_and_runs_once(customer_id):
    a = first_variant_id(make_product(name="A", stock=3))
    b = first_variant_id(make_product(name="B", stock=10))
    mine = cart_services.cart_open(user_id=customer_id)
    cart_services.cart_line_add(cart_id=mine, variant_id=a, quantity=2)
    anonymous = cart_services.cart_open(session_key="old-session")
    cart_services.cart_line_add(cart_id=anonymous, variant_id=a, quantity=2)
    cart_services.cart_line_add(cart_id=anonymous, variant_id=b, quantity=1)

    assert cart_services.cart_merge(user_id=customer_id, session_key="old-session") == mine
    assert cart_services.cart_merge(user_id=customer_id, session_key="old-session") is None
    quantities = dict(CartLine.objects.filter(cart_id=mine).values_list("variant_id", "quantity"))
    assert quantities == {a: 3, b: 1}
    assert Cart.objects.get(pk=anonymous).status == "merged"


def test_one_open_cart_per_customer(customer_id):
    assert cart_services.cart_open(user_id=customer_id) == cart_services.cart_open(
        user_id=customer_id
    )
    assert Cart.objects.filter(user_id=customer_id).count() == 1
