"""/dashboard/etl/: runs, freshness, quarantine with the raw row, reconciliation, run now."""

import pytest
from django.contrib.auth import get_user_model

from apps.accounts import services as accounts_services
from apps.sales.models import OrderLine
from etl.models import Run
from tests.etl.conftest import WAREHOUSE, at, etl_at
from tests.sales.factories import make_customer

pytestmark = pytest.mark.django_db(databases=WAREHOUSE)
URL = "/dashboard/etl/"


@pytest.fixture
def manager(client):
    manager_id = accounts_services.user_create(
        email="gestora@example.com", password="Clave-segura-123", role="manager"
    )
    client.force_login(get_user_model().objects.get(pk=manager_id))
    return client


@pytest.fixture
def loaded(shop, categories):
    laptops, _accessories, _brand = categories
    variant = shop.variant(name="Portátil <b>", price="100.00", category=laptops)
    customer = shop.customer()
    good = shop.order(at(2025, 5, 2, 10, 0), customer, [(variant, 1)])
    bad = shop.order(at(2025, 5, 2, 11, 0), customer, [(variant, 1)])
    OrderLine.objects.filter(order__number=bad).update(variant_id=999_999, sku="<script>x</script>")
    etl_at(at(2025, 5, 3))
    return good, bad


def test_only_managers_see_the_page(client, db):
    assert client.get(URL).status_code == 302  # to sign in
    client.force_login(get_user_model().objects.get(pk=make_customer()))
    assert client.get(URL).status_code == 403
    assert client.post(f"{URL}ejecutar/", {"source": "sales"}).status_code == 403


def test_the_page_shows_runs_freshness_quarantine_and_reconciliation(
    manager, loaded, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        response = manager.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Frescura por origen" in page and "Ejecutar ahora" in page
    assert "unknown_product" in page and "999999" in page  # the raw row
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page
    assert "Cuadra salvo cuarentena" in page and "no cuadra" not in page
    assert [d.status for d in response.context["reconciliation"]][-1] == "quarantined"
    sales = next(f for f in response.context["freshness"] if f["f"].source == "sales")
    assert sales["f"].watermark == at(2025, 5, 3) and sales["f"].open_quarantine == 1
    runs = response.context["runs"]
    assert {r.source for r in runs} == {"users", "inventory", "sales"}
    filtered = manager.get(URL, {"source": "sales", "reason": "unknown_product"})
    assert [r.source for r in filtered.context["runs"]] == ["sales"]
    assert [q["row"].reason for q in filtered.context["quarantine"]] == ["unknown_product"]
    # an unknown filter value is ignored, not an error
    assert manager.get(URL, {"source": "<x>", "reason": "nope"}).status_code == 200


def test_run_now_queues_the_source_and_says_so(manager, loaded):
    before = Run.objects.using("warehouse").filter(source="inventory").count()
    response = manager.post(f"{URL}ejecutar/", {"source": "inventory"}, follow=True)
    assert response.status_code == 200
    assert "encolada" in response.content.decode()
    # the test settings run tasks eagerly: the run happened
    assert Run.objects.using("warehouse").filter(source="inventory").count() == before + 1
    response = manager.post(f"{URL}ejecutar/", {"source": "bogus"}, follow=True)
    assert "Origen desconocido" in response.content.decode()
    assert manager.get(f"{URL}ejecutar/").status_code == 405


def test_the_dashboard_home_links_to_the_etl_page(manager):
    assert URL in manager.get("/dashboard/").content.decode()


def test_a_day_that_does_not_match_is_flagged(manager, loaded):
    from etl.models import Reconciliation

    Reconciliation.objects.using("warehouse").filter(date_key=20250502).update(status="mismatch")
    page = manager.get(URL).content.decode()
    assert "1 día no cuadra con el libro de ventas" in page and "table-danger" in page


def test_the_page_speaks_english_too(manager, loaded):
    from django.utils import translation

    manager.post("/i18n/setlang/", {"language": "en", "next": URL})
    try:
        page = manager.get(URL).content.decode()
    finally:
        translation.activate("es")  # the request left English active in this thread
    assert "Freshness per source" in page and "Run now" in page
    assert "Matches except the quarantine" in page
