"""The coupons chart writes its axis and tooltips the way the page's language writes money."""

from decimal import Decimal

import pytest
from django.conf import settings
from selenium.webdriver.support.ui import WebDriverWait

from apps.coupons import services as coupons_services
from tests.coupons.factories import make_coupon, make_customer
from tests.e2e.sessions import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXIS = """
const chart = window.Chart && window.Chart.getChart("coupons-report-chart");
return chart ? chart.scales.y.ticks.map((tick) => tick.label) : null;
"""


@pytest.fixture
def manager_browser(live_server, browser):
    sign_in(browser, live_server, user_id=make_customer("gerente@example.com", role="manager"))
    return browser


@pytest.mark.parametrize(("language", "expected"), [("es", "7.000\u00a0€"), ("en", "€7,000")])
def test_the_chart_axis_is_written_in_the_page_s_language(
    live_server, manager_browser, language, expected
):
    make_coupon(code="GRANDE", kind="fixed", value="50")
    coupons_services.coupon_redeem(
        code="GRANDE",
        customer_id=None,
        order_reference="EP-1",
        discount=Decimal("50"),
        order_total=Decimal("7999.99"),
    )
    manager_browser.add_cookie({"name": settings.LANGUAGE_COOKIE_NAME, "value": language})
    manager_browser.get(live_server.url + "/dashboard/cupones/informe/")
    labels = WebDriverWait(manager_browser, 10).until(lambda b: b.execute_script(AXIS))
    assert expected in labels, labels
