"""The customer's pages: checkout for every payment method, confirmation, history, detail,
cancel and receipt, each one refusing other customers' orders with a 404."""

import json
import re

import pytest
from django.conf import settings
from django.urls import reverse

from apps.accounts import selectors as accounts_selectors
from apps.accounts import services as accounts_services
from apps.cart import selectors as cart_selectors
from apps.cart import services as cart_services
from apps.coupons import services as coupons_services
from apps.inventory import selectors as inventory_selectors
from apps.inventory import services as inventory_services
from apps.sales.models import IdempotencyKey, LedgerEntry, Order, Payment
from tests.sales.factories import make_shopper, make_variant, user

pytestmark = pytest.mark.django_db

APPROVED = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"
CVC = "737"
CHECKOUT = "/pedido/"


def digits(number: str) -> str:
    return number.replace(" ", "")


def stock(variant_id):
    return inventory_selectors.variant_stock(variant_id=variant_id)


def signed_in(client, shopper):
    client.force_login(user(shopper.customer_id))
    return client


def add_address(shopper, **fields) -> int:
    values = {
        "full_name": "Ana Martín",
        "line1": "Calle Mayor 1",
        "postal_code": "28013",
        "city": "Madrid",
        "province": "Madrid",
    } | fields
    return accounts_services.address_create(user_id=shopper.customer_id, **values)


@pytest.fixture
def shopper():
    shopper = make_shopper()
    add_address(shopper)
    return shopper


@pytest.fixture
def buyer(client, shopper):
    """A signed-in customer with an address and one 100 € product (stock 10) in the cart."""
    shopper.variant = make_variant(price="100.00", stock=10)
    shopper.add(shopper.variant, 1)
    return signed_in(client, shopper), shopper


def form_from(response, **changes) -> dict:
    """What the browser would send back from the rendered checkout form, plus ``changes``."""
    form = response.context["form"]
    data = {
        name: form[name].value() if form[name].value() is not None else ""
        for name in form.fields
        if name not in ("save_address",)
    }
    data = {key: str(value) for key, value in data.items()}
    data["action"] = "place"
    data.update({key: str(value) for key, value in changes.items()})
    return data


def card(number=APPROVED, **extra) -> dict:
    return {
        "payment_method": "card",
        "card_number": number,
        "card_exp_month": "12",
        "card_exp_year": str(2030),
        "card_cvc": CVC,
    } | extra


# --- Access --------------------------------------------------------------------------------


def test_checkout_needs_sign_in(client):
    response = client.get(CHECKOUT)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={CHECKOUT}"


def test_empty_cart_goes_back_to_the_cart_with_a_message(client, shopper):
    signed_in(client, shopper)
    response = client.get(CHECKOUT, follow=True)
    assert response.redirect_chain[-1][0] == reverse("cart:detail")
    assert "Su carrito está vacío." in response.content.decode()


def test_cart_page_links_to_checkout(buyer):
    client, _shopper = buyer
    assert f'href="{CHECKOUT}"' in client.get(reverse("cart:detail")).content.decode()


def test_the_account_menu_links_to_my_orders(buyer):
    client, _shopper = buyer
    html = client.get("/").content.decode()
    assert f'href="{reverse("sales:order_list")}"' in html and "Mis pedidos" in html


# --- The checkout page ---------------------------------------------------------------------


def test_checkout_page_shows_every_amount_and_preselects_the_default_address(buyer):
    client, shopper = buyer
    default_id = add_address(shopper, full_name="Luis Pérez", is_default=True)
    response = client.get(CHECKOUT)
    assert response.status_code == 200
    html = response.content.decode()
    form = response.context["form"]
    assert form["address"].value() == str(default_id)
    assert re.search(rf'value="{default_id}"[^>]*checked', html)
    assert "Luis Pérez" in html
    priced = response.context["cart"]
    assert (priced.subtotal, priced.shipping, priced.total) == (
        priced.subtotal,
        0,
        priced.subtotal,
    )
    for element in ("subtotal", "shipping", "total", "tax"):
        assert f'id="{element}"' in html
    assert "100,00\u00a0€" in html and "IVA incluido" in html
    for autocomplete in ("cc-number", "cc-exp-month", "cc-exp-year", "cc-csc"):
        assert f'autocomplete="{autocomplete}"' in html
    assert 'name="token"' in html and len(form["token"].value()) == 32


def test_each_render_gets_a_new_token(buyer):
    client, _shopper = buyer
    first = client.get(CHECKOUT).context["form"]["token"].value()
    second = client.get(CHECKOUT).context["form"]["token"].value()
    assert first != second


def test_summary_shows_the_discount_with_its_code(buyer):
    client, shopper = buyer
    coupons_services.coupon_create(code="DIEZ", kind="percentage", value="10")
    cart_services.cart_coupon_apply(
        cart_id=shopper.cart_id, code="DIEZ", customer_id=shopper.customer_id
    )
    html = client.get(CHECKOUT).content.decode()
    assert "Descuento (DIEZ)" in html and "10,00\u00a0€" in html


def test_express_shipping_updates_the_summary_without_placing_anything(buyer):
    client, _shopper = buyer
    page = client.get(CHECKOUT)
    response = client.post(
        CHECKOUT, form_from(page, action="update", shipping_method="express", card_number="4242")
    )
    assert response.status_code == 200
    assert response.context["cart"].shipping == settings.SHOP_EXPRESS_SHIPPING
    assert response.context["form"]["shipping_method"].value() == "express"
    assert "9,99\u00a0€" in response.content.decode()
    assert not Order.objects.exists() and not IdempotencyKey.objects.exists()


def test_express_chosen_without_updating_the_summary_is_shown_before_charging(buyer):
    client, _shopper = buyer
    page = client.get(CHECKOUT)
    response = client.post(CHECKOUT, form_from(page, shipping_method="express", **card()))
    assert response.status_code == 200
    assert "Su carrito o el envío han cambiado" in response.content.decode()
    assert response.context["cart"].shipping == settings.SHOP_EXPRESS_SHIPPING
    assert not Order.objects.exists()
    retry = client.post(CHECKOUT, form_from(response, **card()))
    order = Order.objects.get()
    assert retry["Location"] == reverse("sales:confirmation", args=[order.number])
    assert order.shipping == settings.SHOP_EXPRESS_SHIPPING


# --- Each payment method -------------------------------------------------------------------


def test_card_approved_pays_and_shows_the_confirmation(buyer):
    client, shopper = buyer
    page = client.get(CHECKOUT)
    response = client.post(CHECKOUT, form_from(page, **card()))
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:confirmation", args=[order.number])
    assert order.status == "paid" and order.total == 100
    assert (order.ship_name, order.ship_city) == ("Ana Martín", "Madrid")
    assert stock(shopper.variant) == 9
    assert cart_selectors.cart_price(cart_id=shopper.cart_id).lines == ()

    html = client.get(response["Location"]).content.decode()
    assert order.number in html and "Pagado" in html
    assert "100,00\u00a0€" in html
    assert settings.SHOP_TRANSFER_IBAN not in html


def test_declined_card_shows_the_error_keeps_the_cart_and_pays_nothing(buyer):
    client, shopper = buyer
    page = client.get(CHECKOUT)
    response = client.post(CHECKOUT, form_from(page, **card(DECLINED)))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Su banco ha rechazado el pago" in html
    assert response.context["form"]["token"].value() != page.context["form"]["token"].value()
    # the card fields come back empty; the other choices are kept
    assert digits(DECLINED) not in html and DECLINED not in html
    assert not re.search(r'name="card_number"[^>]*value=', html)
    assert not re.search(r'name="card_cvc"[^>]*value=', html)
    assert response.context["form"]["payment_method"].value() == "card"

    assert not Order.objects.filter(status="paid").exists()
    # Kept for managers as a failed payment; nothing in the customer's history.
    assert Order.objects.get().status == "payment_failed"
    history = client.get(reverse("sales:order_list"))
    assert Order.objects.get().number not in history.content.decode()
    assert stock(shopper.variant) == 10
    assert cart_selectors.cart_price(cart_id=shopper.cart_id).lines[0].quantity == 1
    assert not LedgerEntry.objects.exists()

    # another card with the new token goes through
    retry = client.post(CHECKOUT, form_from(response, **card()))
    assert retry.status_code == 302
    assert Order.objects.filter(status="paid").count() == 1


def test_invalid_card_number_is_refused_in_spanish_before_any_order(buyer):
    client, _shopper = buyer
    page = client.get(CHECKOUT)
    response = client.post(CHECKOUT, form_from(page, **card("1234 5678 9012 3456")))
    assert response.status_code == 200
    assert "El número de tarjeta no es válido." in response.content.decode()
    assert not Order.objects.exists()


def test_card_fields_are_required_for_a_card(buyer):
    client, _shopper = buyer
    page = client.get(CHECKOUT)
    response = client.post(CHECKOUT, form_from(page, payment_method="card"))
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"card_number", "card_cvc"}
    assert not Order.objects.exists() and not IdempotencyKey.objects.exists()


def test_transfer_shows_the_iban_and_the_order_number_as_concept(buyer):
    client, shopper = buyer
    page = client.get(CHECKOUT)
    response = client.post(CHECKOUT, form_from(page, payment_method="transfer"), follow=True)
    order = Order.objects.get()
    assert order.status == "pending_payment" and order.payment_method == "transfer"
    html = response.content.decode()
    assert settings.SHOP_TRANSFER_IBAN in html
    assert f'<code id="transfer-concept">{order.number}</code>' in html
    assert cart_selectors.cart_price(cart_id=shopper.cart_id).lines == ()


def test_cash_on_delivery(buyer):
    client, shopper = buyer
    page = client.get(CHECKOUT)
    response = client.post(CHECKOUT, form_from(page, payment_method="cod"), follow=True)
    order = Order.objects.get()
    assert (order.status, order.payment_method) == ("pending_payment", "cod")
    assert "Pagará al recibir el pedido." in response.content.decode()
    assert stock(shopper.variant) == 9


def test_a_new_address_can_be_saved_to_the_address_book(buyer):
    client, shopper = buyer
    page = client.get(CHECKOUT)
    new = {
        "address": "new",
        "full_name": "Eva Ruiz",
        "line1": "Avenida del Puerto 5",
        "postal_code": "46023",
        "city": "Valencia",
        "country": "es",
        "save_address": "on",
    }
    client.post(CHECKOUT, form_from(page, payment_method="transfer", **new))
    order = Order.objects.get()
    assert (order.ship_name, order.ship_city, order.ship_country) == ("Eva Ruiz", "Valencia", "ES")
    names = [a.full_name for a in accounts_selectors.address_list(user_id=shopper.customer_id)]
    assert sorted(names) == ["Ana Martín", "Eva Ruiz"]


def test_a_new_address_is_not_saved_unless_asked_and_must_be_complete(buyer):
    client, shopper = buyer
    shopper.add(shopper.variant, 1)
    page = client.get(CHECKOUT)
    incomplete = client.post(
        CHECKOUT, form_from(page, payment_method="transfer", address="new", full_name="Eva")
    )
    assert incomplete.status_code == 200
    assert incomplete.context["form"].errors.keys() >= {"line1", "postal_code", "city"}
    data = form_from(
        page,
        payment_method="transfer",
        address="new",
        full_name="Eva Ruiz",
        line1="Avenida del Puerto 5",
        postal_code="46023",
        city="Valencia",
    )
    assert client.post(CHECKOUT, data).status_code == 302
    assert len(accounts_selectors.address_list(user_id=shopper.customer_id)) == 1


def test_another_customers_address_cannot_be_chosen(buyer):
    client, _shopper = buyer
    stranger = make_shopper()
    their_address = add_address(stranger, full_name="Otro Cliente")
    page = client.get(CHECKOUT)
    response = client.post(
        CHECKOUT, form_from(page, payment_method="transfer", address=str(their_address))
    )
    assert response.status_code == 200 and "address" in response.context["form"].errors
    assert not Order.objects.exists()


# --- Pressed twice, changed carts ------------------------------------------------------------


def test_place_order_pressed_twice_makes_one_order(buyer):
    client, shopper = buyer
    data = form_from(client.get(CHECKOUT), **card())
    first = client.post(CHECKOUT, data)
    second = client.post(CHECKOUT, data)
    order = Order.objects.get()
    assert (
        first["Location"]
        == second["Location"]
        == reverse("sales:confirmation", args=[order.number])
    )
    assert Payment.objects.count() == 1 and LedgerEntry.objects.count() == 1
    assert stock(shopper.variant) == 9
    assert IdempotencyKey.objects.get().scope == f"user:{shopper.customer_id}"


def test_the_same_token_with_another_request_is_refused(buyer):
    client, shopper = buyer
    page = client.get(CHECKOUT)
    client.post(CHECKOUT, form_from(page, payment_method="transfer"))
    shopper.add(shopper.variant, 1)  # a new cart, the old page's token
    response = client.post(CHECKOUT, form_from(page, payment_method="cod"))
    assert response.status_code == 200
    assert "ya se usó con otra petición" in response.content.decode()
    assert Order.objects.count() == 1


def test_a_cart_whose_price_changed_is_refused(buyer):
    client, shopper = buyer
    page = client.get(CHECKOUT)
    inventory_services.variant_update(variant_id=shopper.variant, price="120.00")
    response = client.post(CHECKOUT, form_from(page, **card()), follow=True)
    assert response.redirect_chain[-1][0] == reverse("cart:detail")
    assert "han cambiado" in response.content.decode()
    assert not Order.objects.exists() and stock(shopper.variant) == 10


def test_a_cart_changed_in_another_tab_is_refused(buyer):
    client, shopper = buyer
    page = client.get(CHECKOUT)
    shopper.add(shopper.variant, 2)
    response = client.post(CHECKOUT, form_from(page, payment_method="transfer"))
    assert response.status_code == 200
    assert "Su carrito o el envío han cambiado" in response.content.decode()
    assert response.context["cart"].item_count == 3
    assert not Order.objects.exists()


def test_out_of_stock_at_the_last_moment_goes_back_to_the_cart(buyer):
    client, shopper = buyer
    page = client.get(CHECKOUT)
    inventory_services.stock_adjust(
        variant_id=shopper.variant, delta=-10, reason="Rotura", user_id=None
    )
    response = client.post(CHECKOUT, form_from(page, payment_method="transfer"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("cart:detail")
    assert not Order.objects.exists()


# --- The card number is never kept ----------------------------------------------------------


def test_the_card_number_never_reaches_a_page_or_the_database(buyer):
    client, _shopper = buyer
    pages = []
    page = client.get(CHECKOUT)
    declined = client.post(CHECKOUT, form_from(page, **card(DECLINED)))
    approved = client.post(CHECKOUT, form_from(declined, **card()), follow=True)
    number = Order.objects.get(status="paid").number
    pages += [page, declined, approved]
    for url in (
        reverse("sales:order_detail", args=[number]),
        reverse("sales:order_receipt", args=[number]),
        reverse("sales:order_list"),
    ):
        pages.append(client.get(url))
    secrets = [digits(APPROVED), APPROVED, digits(DECLINED), DECLINED]
    for response in pages:
        html = response.content.decode()
        assert not any(secret in html for secret in secrets), response.request["PATH_INFO"]
    assert "•••• 4242" in pages[-3].content.decode()

    stored = json.dumps(
        [list(row) for row in Payment.objects.values_list()]
        + [list(row) for row in IdempotencyKey.objects.values_list()],
        default=str,
    )
    assert not any(secret in stored for secret in [*secrets, f'"{CVC}"'])
    payments = Payment.objects.order_by("pk")
    assert [p.card_last4 for p in payments] == ["0002", "4242"]


# --- After the purchase ----------------------------------------------------------------------


def place_transfer(client, shopper, *, price="40.00", quantity=1) -> Order:
    shopper.add(make_variant(price=price, stock=5), quantity)
    client.post(CHECKOUT, form_from(client.get(CHECKOUT), payment_method="transfer"))
    return Order.objects.filter(customer_id=shopper.customer_id).order_by("-pk").first()


def test_history_lists_my_orders_only(client, shopper):
    signed_in(client, shopper)
    mine = place_transfer(client, shopper)
    stranger = make_shopper()
    stranger.add(make_variant(), 1)
    theirs = stranger.place().number
    html = client.get(reverse("sales:order_list")).content.decode()
    assert mine.number in html and theirs not in html


def test_history_is_paginated_with_a_fixed_number_of_queries(
    client, shopper, django_assert_max_num_queries
):
    signed_in(client, shopper)
    for _ in range(3):
        shopper.add(make_variant(price="10.00"), 2)
        shopper.place()
    with django_assert_max_num_queries(8) as few:
        assert client.get(reverse("sales:order_list")).status_code == 200
    for _ in range(12):
        shopper.add(make_variant(price="10.00"), 1)
        shopper.add(make_variant(price="20.00"), 1)
        shopper.place()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("sales:order_list"))
    assert len(response.context["page"].object_list) == 10
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("sales:order_list"), {"page": 2})
    assert len(response.context["page"].object_list) == 5


def test_detail_shows_lines_amounts_address_history_and_card_last4(buyer):
    client, _shopper = buyer
    client.post(CHECKOUT, form_from(client.get(CHECKOUT), **card()))
    order = Order.objects.get()
    html = client.get(reverse("sales:order_detail", args=[order.number])).content.decode()
    line = order.lines.get()
    assert line.name in html and line.sku in html
    assert "Calle Mayor 1" in html and "28013 Madrid" in html
    assert "Pendiente de pago" in html and "Pago con tarjeta aceptado" in html
    assert "VISA •••• 4242" in html
    assert 'id="cancel-order"' in html
    assert reverse("sales:order_receipt", args=[order.number]) in html


def test_cancel_returns_the_stock_and_hides_the_button(client, shopper):
    signed_in(client, shopper)
    order = place_transfer(client, shopper, quantity=2)
    variant = order.lines.get().variant_id
    assert stock(variant) == 3
    url = reverse("sales:order_cancel", args=[order.number])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    order.refresh_from_db()
    assert order.status == "cancelled" and stock(variant) == 5
    html = response.content.decode()
    assert "cancelado" in html and 'id="cancel-order"' not in html
    again = client.post(url, follow=True)
    assert "ya no se puede cancelar" in again.content.decode()
    assert stock(variant) == 5


def test_a_shipped_order_has_no_cancel_button(client, shopper):
    signed_in(client, shopper)
    order = place_transfer(client, shopper)
    from apps.sales import services as sales_services

    for status in ("paid", "preparing"):
        sales_services.order_transition(
            order_number=order.number, to_status=status, by_user_id=None
        )
    html = client.get(reverse("sales:order_detail", args=[order.number])).content.decode()
    assert 'id="cancel-order"' not in html


def test_receipt_is_a_printable_page(client, shopper):
    signed_in(client, shopper)
    order = place_transfer(client, shopper)
    response = client.get(reverse("sales:order_receipt", args=[order.number]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'shop receipt-page"' in html and 'id="receipt-number"' in html
    assert order.number in html and order.email in html
    assert "style=" not in html and "<script>" not in html


ROUTES = [
    ("get", "sales:confirmation"),
    ("get", "sales:order_detail"),
    ("get", "sales:order_receipt"),
    ("post", "sales:order_cancel"),
]


@pytest.mark.parametrize(("method", "name"), ROUTES)
def test_another_customers_order_is_not_found(client, method, name):
    owner = make_shopper()
    variant = make_variant(stock=5)
    owner.add(variant, 1)
    number = owner.place().number
    intruder = make_shopper()
    signed_in(client, intruder)
    response = getattr(client, method)(reverse(name, args=[number]))
    assert response.status_code == 404
    assert Order.objects.get(number=number).status == "pending_payment"
    assert stock(variant) == 4


@pytest.mark.parametrize(("method", "name"), ROUTES)
def test_customer_order_pages_need_sign_in(client, method, name):
    response = getattr(client, method)(reverse(name, args=["EP-2025-000001"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_script_in_the_address_is_shown_escaped(client, shopper):
    signed_in(client, shopper)
    shopper.add(make_variant(), 1)
    page = client.get(CHECKOUT)
    data = form_from(
        page,
        payment_method="transfer",
        address="new",
        full_name='<script>alert("x")</script>',
        line1='"><img src=x>',
        postal_code="28013",
        city="Madrid",
    )
    response = client.post(CHECKOUT, data, follow=True)
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=x>" not in html
    assert "&lt;script&gt;" in html


def test_pressed_again_while_the_first_still_runs(buyer):
    from apps.sales import forms as sales_forms
    from apps.sales import services as sales_services

    client, shopper = buyer
    data = form_from(client.get(CHECKOUT), payment_method="transfer")
    form = sales_forms.CheckoutForm(
        data, addresses=accounts_selectors.address_list(user_id=shopper.customer_id)
    )
    assert form.is_valid()
    sales_services.idempotency_claim(  # the first press, still running
        scope=f"user:{shopper.customer_id}",
        key=data["token"],
        request_hash=sales_services.request_fingerprint(form.fingerprint()),
    )
    response = client.post(CHECKOUT, data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("sales:order_list")
    assert "Su pedido se está procesando" in response.content.decode()
    assert not Order.objects.exists()


def test_my_data_download_holds_orders_carts_coupon_uses_and_the_account(client):
    coupons_services.coupon_create(code="HOLA5", kind="fixed", value="5")
    shopper = make_shopper("datos@example.com")
    other = make_shopper("otra@example.com")
    variant = make_variant(price="1299.99", stock=5, name="Portátil Zenit 15")
    shopper.add(variant, 2)
    cart_services.cart_coupon_apply(
        cart_id=shopper.cart_id, code="HOLA5", customer_id=shopper.customer_id
    )
    order = shopper.place()
    other.add(variant, 1)
    other.place()
    accounts_services.api_token_create(user_id=shopper.customer_id, name="Mi script", scope="read")
    shopper_cart = cart_services.cart_open(user_id=shopper.customer_id)
    cart_services.cart_line_add(cart_id=shopper_cart, variant_id=variant, quantity=1)

    response = signed_in(client, shopper).get(reverse("accounts:data_download"))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["profile"]["email"] == "datos@example.com"
    assert [t["name"] for t in data["api_tokens"]] == ["Mi script"]
    assert "prefix" in data["api_tokens"][0] and "key" not in data["api_tokens"][0]
    assert data["activity"] is not None

    [mine] = data["orders"]
    assert mine["number"] == order.number and mine["total"] == str(order.total)
    assert mine["shipping_address"]["city"] and mine["coupon_code"] == "HOLA5"
    [line] = mine["lines"]
    assert line["name"] == "Portátil Zenit 15" and line["quantity"] == 2
    assert line["unit_price"] == "1299.99"
    assert mine["history"] and mine["payments"][0]["method"] == "transfer"
    assert "card_token" not in mine["payments"][0]

    assert [use["code"] for use in data["coupon_uses"]] == ["HOLA5"]
    assert any(line["variant_id"] == variant for cart in data["carts"] for line in cart["lines"])
    assert "otra@example.com" not in response.content.decode()
