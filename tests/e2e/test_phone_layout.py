"""The catalogue on a 390×844 phone: nothing wider than the screen, products on the first screen.

On failure the test saves a screenshot under ``var/e2e/`` and prints its path in the log.
"""

import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.shots import screenshot_on_failure
from tests.inventory.factories import BrandFactory, CategoryFactory, make_product

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}

# Every box that pokes out of the page, or out of its product card, as (what, left, right).
OVERFLOWS = """
const width = document.documentElement.clientWidth;
const found = [];
const shown = (el) => getComputedStyle(el).visibility === "visible";
for (const el of document.querySelectorAll("body *")) {
  const box = el.getBoundingClientRect();
  // Boxes of 1 px are the screen-reader-only texts; hidden ones are the closed off-canvas.
  if (box.width > 1 && shown(el) && (box.right > width + 0.5 || box.left < -0.5)) {
    found.push(["page", el.tagName + "." + el.className, box.left, box.right]);
  }
}
for (const card of document.querySelectorAll(".product-card")) {
  const outer = card.getBoundingClientRect();
  for (const el of card.querySelectorAll(".card-body *")) {
    const box = el.getBoundingClientRect();
    if (box.width && (box.right > outer.right + 0.5 || box.left < outer.left - 0.5)) {
      found.push(["card", el.tagName + "." + el.className + " " + el.textContent.trim(), box.left, box.right]);
    }
  }
}
return found;
"""


@pytest.fixture
def phone(browser):
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    return browser


@pytest.fixture
def catalogue():
    portatiles = CategoryFactory(name="Portátiles", slug="portatiles", icon="laptop")
    brands = [BrandFactory(name=f"Marca {n}", slug=f"marca-{n}") for n in range(12)]
    for n in range(6):
        make_product(
            name=f"Portátil Zenit Pro {n} 16 pulgadas",
            price=f"{1299 + n * 1000}.99",
            stock=5,
            category=portatiles,
            brand=brands[n],
        )


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("results", "/productos/?q=portatil"),
        ("category", "/categoria/portatiles/"),
        ("home", "/"),
        ("product", "/producto/portatil-zenit-pro-0-16-pulgadas/"),
    ],
)
def test_catalogue_fits_a_phone(live_server, phone, catalogue, name, path):
    phone.get(live_server.url + path)
    WebDriverWait(phone, 10).until(ec.presence_of_element_located((By.CLASS_NAME, "product-card")))
    with screenshot_on_failure(phone, f"phone-{name}"):
        assert phone.execute_script("return window.innerWidth") == PHONE["width"]
        assert phone.execute_script(OVERFLOWS) == []
        assert re.fullmatch(r"\d\.\d{3},\d{2}\s€", phone.find_element(By.CLASS_NAME, "price").text)
        if name in ("home", "product"):
            return
        # The products start on the first screen; the filters wait behind a button.
        first_card = phone.find_element(By.CLASS_NAME, "product-card")
        assert first_card.rect["y"] < PHONE["height"] / 2
        brand_filter = phone.find_element(By.ID, "marca-marca-0")
        assert not brand_filter.is_displayed()
        phone.find_element(By.CSS_SELECTOR, "[data-bs-target='#filters']").click()
        WebDriverWait(phone, 5).until(lambda driver: brand_filter.is_displayed())
        assert phone.execute_script(OVERFLOWS) == []


def test_filters_stay_open_beside_the_products_on_a_desktop(live_server, browser, catalogue):
    browser.get(live_server.url + "/categoria/portatiles/")
    WebDriverWait(browser, 10).until(
        ec.presence_of_element_located((By.CLASS_NAME, "product-card"))
    )
    with screenshot_on_failure(browser, "desktop-category"):
        assert browser.find_element(By.ID, "marca-marca-0").is_displayed()
        assert not browser.find_element(
            By.CSS_SELECTOR, "[data-bs-target='#filters']"
        ).is_displayed()
