"""The coupon form's product picker in a real browser: type, tick, save."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from apps.coupons.models import Coupon
from tests.coupons.factories import make_customer
from tests.e2e.sessions import sign_in
from tests.inventory.factories import BrandFactory, CategoryFactory, make_product

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _click(browser, element):
    # Bootstrap scrolls smoothly: jump to the element first, or the click lands while it moves.
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element
    )
    element.click()


def test_a_manager_finds_and_ticks_products_as_they_type(live_server, browser):
    category = CategoryFactory(name="Portátiles", slug="portatiles")
    zenit = BrandFactory(name="Zenit", slug="zenit")
    pro = make_product(name="Portátil Zenit Pro 16", category=category, brand=zenit)
    make_product(name="Auriculares Boreal NC", category=category)
    sign_in(browser, live_server, user_id=make_customer("gerente@example.com", role="manager"))

    browser.get(live_server.url + "/dashboard/cupones/nuevo/")
    browser.find_element(By.NAME, "code").send_keys("ZENIT10")
    browser.find_element(By.NAME, "value").send_keys("10")
    browser.find_element(By.NAME, "product_q").send_keys("zenit pro")
    result = WebDriverWait(browser, 10).until(
        ec.element_to_be_clickable((By.ID, f"product-pick-{pro}"))
    )
    assert "Auriculares" not in browser.find_element(By.ID, "product-picker-results").text
    _click(browser, result)
    assert result.find_element(By.XPATH, "../..").get_attribute("id") == "product-picker-chosen"
    _click(browser, browser.find_element(By.CSS_SELECTOR, "form button.btn-primary[type=submit]"))
    WebDriverWait(browser, 10).until(ec.url_contains("/dashboard/cupones/"))
    WebDriverWait(browser, 10).until(lambda b: Coupon.objects.filter(code="ZENIT10").exists())
    assert Coupon.objects.get(code="ZENIT10").product_ids == [pro]
