"""The whole purchase in a real browser: browse, add to cart, sign in, check out, see the order."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from apps.accounts import services as accounts_services
from apps.inventory import selectors as inventory_selectors
from apps.sales.models import Order
from tests.inventory.factories import BrandFactory, CategoryFactory, first_variant_id, make_product

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Clave-muy-segura-2026"


@pytest.fixture
def shop():
    sonido = CategoryFactory(name="Sonido", slug="sonido", icon="headphones")
    brand = BrandFactory(name="Helio", slug="helio")
    product_id = make_product(
        name="Auriculares Helio NC",
        price="89.90",
        stock=3,
        category=sonido,
        brand=brand,
        specifications=[["Autonomía", "30 h"]],
    )
    accounts_services.user_create(email="ana@example.com", password=PASSWORD, first_name="Ana")
    return first_variant_id(product_id)


def _wait(browser, condition, timeout=10):
    return WebDriverWait(browser, timeout).until(condition)


def test_a_customer_buys_by_card_in_a_real_browser(live_server, browser, shop):
    variant = shop
    browser.get(live_server.url + "/")
    assert "Tecnología que te mueve" in browser.page_source

    # Search from the header, open the product.
    box = browser.find_element(By.NAME, "q")
    box.send_keys("auriculares")
    box.submit()
    _wait(browser, ec.presence_of_element_located((By.ID, "result-count")))
    browser.find_element(By.LINK_TEXT, "Auriculares Helio NC").click()
    _wait(browser, ec.presence_of_element_located((By.ID, "price")))
    assert "89,90" in browser.find_element(By.ID, "price").text

    # Add to cart: the script does it without reloading and the badge follows.
    quantity = browser.find_element(By.ID, "quantity")
    quantity.clear()
    quantity.send_keys("2")
    browser.find_element(By.CSS_SELECTOR, "form.add-to-cart button[type=submit]").click()
    _wait(browser, ec.text_to_be_present_in_element((By.ID, "cart-count"), "2"))

    # The cart shows the line and the totals.
    browser.find_element(By.ID, "cart-link").click()
    _wait(browser, ec.presence_of_element_located((By.ID, "total")))
    assert "179,80" in browser.find_element(By.ID, "total").text

    # Checkout asks to sign in, then comes back to the checkout.
    browser.find_element(By.LINK_TEXT, "Tramitar pedido").click()
    _wait(browser, ec.presence_of_element_located((By.NAME, "password")))
    browser.find_element(By.NAME, "username").send_keys("ana@example.com")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit].w-100").click()
    _fill_checkout_and_pay(browser)

    order = Order.objects.get()
    assert order.status == "paid"
    assert order.number in browser.page_source
    assert inventory_selectors.variant_stock(variant_id=variant) == 1


def _fill_checkout_and_pay(browser, card="4242 4242 4242 4242", confirmed=True):
    _wait(browser, ec.presence_of_element_located((By.ID, "checkout-form")))
    fields = {
        "full_name": "Ana Martín",
        "line1": "Calle Mayor 1",
        "postal_code": "28013",
        "city": "Madrid",
    }
    for name, value in fields.items():
        element = browser.find_element(By.NAME, name)
        element.clear()
        element.send_keys(value)
    browser.find_element(By.CSS_SELECTOR, "input[name=payment_method][value=card]").click()
    browser.find_element(By.NAME, "card_number").send_keys(card)
    browser.find_element(By.NAME, "card_exp_month").send_keys("12")
    browser.find_element(By.NAME, "card_exp_year").send_keys("2030")
    browser.find_element(By.NAME, "card_cvc").send_keys("123")
    browser.find_element(By.ID, "place-order").click()
    if confirmed:
        _wait(browser, ec.presence_of_element_located((By.ID, "order-confirmation")))


def test_a_declined_card_leaves_no_order_and_keeps_the_cart(live_server, browser, shop):
    """Issue: a refused card used to become a cancelled order with two e-mails."""
    from django.core import mail

    from tests.e2e.sessions import sign_in
    from tests.e2e.shots import screenshot_on_failure

    ana = accounts_services.user_create(email="bea@example.com", password=PASSWORD)
    sign_in(browser, live_server, user_id=ana)
    with screenshot_on_failure(browser, "declined-card"):
        browser.get(live_server.url + "/productos/?q=auriculares")
        browser.find_element(By.LINK_TEXT, "Auriculares Helio NC").click()
        browser.find_element(By.CSS_SELECTOR, "form.add-to-cart button[type=submit]").click()
        _wait(browser, ec.text_to_be_present_in_element((By.ID, "cart-count"), "1"))
        browser.get(live_server.url + "/pedido/")
        _fill_checkout_and_pay(browser, card="4000 0000 0000 0002", confirmed=False)
        _wait(
            browser,
            ec.text_to_be_present_in_element(
                (By.TAG_NAME, "body"), "Su banco ha rechazado el pago"
            ),
        )

        browser.get(live_server.url + "/cuenta/pedidos/")
        attempt = Order.objects.get()
        assert attempt.status == "payment_failed"
        assert attempt.number not in browser.page_source
        assert not [m for m in mail.outbox if attempt.number in m.subject]

        browser.get(live_server.url + "/pedido/")  # the cart is still there: pay another way
        _fill_checkout_and_pay(browser)
        assert Order.objects.filter(status="paid").count() == 1
