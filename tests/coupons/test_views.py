"""The manager's coupon pages: access, list filters and query count, forms, CSV, report."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.coupons import services as coupons_services
from apps.coupons.models import Coupon
from tests.coupons.factories import make_coupon
from tests.inventory.factories import BrandFactory, CategoryFactory, make_product

pytestmark = pytest.mark.django_db

PAGES = [
    ("coupons_dashboard:list", ()),
    ("coupons_dashboard:create", ()),
    ("coupons_dashboard:bulk", ()),
    ("coupons_dashboard:report", ()),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_anonymous_is_sent_to_sign_in(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_customer_gets_403(customer_client, name, args):
    assert customer_client.get(reverse(name, args=args)).status_code == 403


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_manager_gets_the_page(manager_client, name, args):
    assert manager_client.get(reverse(name, args=args)).status_code == 200


def test_edit_page_access(customer_client):
    coupon_id = make_coupon()
    url = reverse("coupons_dashboard:edit", args=[coupon_id])
    assert customer_client.get(url).status_code == 403


def test_list_filters(manager_client):
    make_coupon(code="ALFA", kind="fixed", value="5")
    beta = make_coupon(code="BETA")
    coupons_services.coupon_deactivate(coupon_id=beta)
    url = reverse("coupons_dashboard:list")

    def codes(query):
        return [c.code for c in manager_client.get(f"{url}?{query}").context["page"].object_list]

    assert codes("") == ["BETA", "ALFA"]
    assert codes("active=1") == ["ALFA"]
    assert codes("active=0") == ["BETA"]
    assert codes("kind=fixed") == ["ALFA"]
    assert codes("q=bet") == ["BETA"]
    assert codes("kind=bogus") == ["BETA", "ALFA"]  # an invalid filter is ignored


def test_list_query_count_does_not_grow_with_coupons(manager_client, django_assert_max_num_queries):
    url = reverse("coupons_dashboard:list")
    make_coupon()
    manager_client.get(url)  # warm up (session, permissions, category tree cache)
    with django_assert_max_num_queries(8) as few:
        manager_client.get(url)
    for _ in range(30):
        make_coupon()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = manager_client.get(url)
    assert len(response.context["page"].object_list) == 31


def test_create_with_restrictions(manager_client):
    parent = CategoryFactory(name="Informática", slug="informatica")
    child = CategoryFactory(name="Portátiles", slug="portatiles", parent=parent)
    brand = BrandFactory(name="Astra", slug="astra")
    first = make_product(name="Portátil Astra Air 13", category=child, brand=brand)
    second = make_product(name="Portátil Astra Pro 16", category=child, brand=brand)
    response = manager_client.get(reverse("coupons_dashboard:create"))
    html = response.content.decode()
    assert "— Portátiles" in html and "Astra" in html
    response = manager_client.post(
        reverse("coupons_dashboard:create"),
        {
            "code": "informatica10",
            "kind": "percentage",
            "value": "10",
            "minimum_subtotal": "0",
            "category_ids": [str(child.pk)],
            "brand_ids": [str(brand.pk)],
            "product_ids": [str(second), str(first)],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    coupon = Coupon.objects.get(code="INFORMATICA10")
    assert (coupon.category_ids, coupon.brand_ids, coupon.product_ids) == (
        [child.pk],
        [brand.pk],
        sorted([first, second]),
    )
    assert response["Location"] == reverse("coupons_dashboard:edit", args=[coupon.pk])


def test_validation_messages_sit_next_to_their_fields(manager_client):
    make_coupon(code="TOMADO")
    response = manager_client.post(
        reverse("coupons_dashboard:create"),
        {"code": "tomado", "kind": "percentage", "value": "10", "minimum_subtotal": "0"},
    )
    assert response.status_code == 200
    assert "Ya existe un cupón" in response.context["form"].errors["code"][0]
    response = manager_client.post(
        reverse("coupons_dashboard:create"),
        {"code": "NUEVO", "kind": "percentage", "value": "120", "minimum_subtotal": "0"},
    )
    assert response.context["form"].errors["value"]
    assert 'aria-invalid="true"' in response.content.decode()
    response = manager_client.post(
        reverse("coupons_dashboard:create"),
        {
            "code": "NUEVO",
            "kind": "fixed",
            "value": "5",
            "minimum_subtotal": "0",
            "product_ids": ["999999"],  # no such product
        },
    )
    assert response.context["form"].errors["product_ids"] == [
        "Uno de los productos elegidos ya no existe."
    ]


def test_edit_and_deactivate(manager_client):
    coupon_id = make_coupon(code="EDITAR", value="10", max_uses=5)
    url = reverse("coupons_dashboard:edit", args=[coupon_id])
    form = manager_client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and v != [] and v is not False}
    data.update({"value": "25", "valid_from": "2026-01-01T10:00", "is_active": "on"})
    response = manager_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    coupon = Coupon.objects.get(pk=coupon_id)
    assert (coupon.value, coupon.max_uses) == (Decimal("25.00"), 5)
    response = manager_client.post(reverse("coupons_dashboard:deactivate", args=[coupon_id]))
    assert response.status_code == 302
    assert not Coupon.objects.get(pk=coupon_id).is_active
    assert (
        manager_client.get(reverse("coupons_dashboard:deactivate", args=[coupon_id])).status_code
        == 405
    )


def test_bulk_generation_downloads_the_codes_as_csv(manager_client):
    response = manager_client.post(
        reverse("coupons_dashboard:bulk"),
        {"prefix": "nav", "count": "500", "kind": "fixed", "value": "5", "minimum_subtotal": "0"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["code"]
    codes = [row[0] for row in rows[1:]]
    assert len(codes) == len(set(codes)) == 500
    assert Coupon.objects.filter(code__in=codes, max_uses=1).count() == 500


def test_bulk_generation_refuses_more_than_the_maximum(manager_client):
    response = manager_client.post(
        reverse("coupons_dashboard:bulk"),
        {"prefix": "nav", "count": "5001", "kind": "fixed", "value": "5", "minimum_subtotal": "0"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["count"]
    assert Coupon.objects.count() == 0


def test_report_renders_chart_data_as_json_without_inline_code(manager_client):
    make_coupon(code="USO", kind="fixed", value="5")
    coupons_services.coupon_redeem(
        code="USO",
        customer_id=None,
        order_reference="EP-1",
        discount=Decimal("5"),
        order_total=Decimal("45"),
    )
    response = manager_client.get(reverse("coupons_dashboard:report"))
    html = response.content.decode()
    assert '<script id="coupons-report-data" type="application/json">' in html
    start = html.index('<script id="coupons-report-data" type="application/json">')
    payload = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    data = json.loads(payload)
    assert (
        data["labels"] == ["USO"] and data["discount"] == ["5.00"] and data["revenue"] == ["45.00"]
    )
    assert "js/coupons-report.js" in html
    assert 'style="' not in html


def test_dashboard_nav_links_to_coupons(manager_client):
    assert (
        reverse("coupons_dashboard:list")
        in manager_client.get(reverse("coupons_dashboard:report")).content.decode()
    )


def test_bulk_codes_beginning_with_a_formula_character_are_neutralised(manager_client):
    response = manager_client.post(
        reverse("coupons_dashboard:bulk"),
        {"prefix": "-nav", "count": "3", "kind": "fixed", "value": "5", "minimum_subtotal": "0"},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 4
    assert all(row[0].startswith("'-NAV-") for row in rows[1:]), rows


def test_bulk_codes_download_as_xlsx(manager_client):
    import openpyxl

    response = manager_client.post(
        reverse("coupons_dashboard:bulk"),
        {
            "prefix": "xl",
            "count": "2",
            "kind": "fixed",
            "value": "5",
            "minimum_subtotal": "0",
            "download_format": "xlsx",
        },
    )
    assert response["Content-Disposition"].endswith('.xlsx"')
    values = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert values[0] == ("code",) and len(values) == 3


# --- The product picker ------------------------------------------------------------------


@pytest.fixture
def laptops():
    category = CategoryFactory(name="Portátiles", slug="portatiles")
    zenit = BrandFactory(name="Zenit", slug="zenit")
    return {
        "air": make_product(name="Portátil Zenit Air 13", category=category, brand=zenit),
        "pro": make_product(name="Portátil Zenit Pro 16", category=category, brand=zenit),
        "other": make_product(name="Auriculares Boreal NC", category=category),
    }


def test_products_are_picked_not_typed_as_ids(manager_client, laptops):
    coupon_id = make_coupon(code="ZENIT", product_ids=[laptops["air"]])
    html = manager_client.get(reverse("coupons_dashboard:edit", args=[coupon_id])).content.decode()
    assert 'type="text" name="product_ids"' not in html
    assert (
        f'type="checkbox" name="product_ids" value="{laptops["air"]}" '
        f'id="product-pick-{laptops["air"]}" checked'
    ) in html
    assert f"Portátil Zenit Air 13 · Zenit (#{laptops['air']})" in html
    assert 'name="product_q"' in html and 'name="product_search"' in html
    assert "js/coupon-picker.js" in html and "<script>" not in html and 'style="' not in html


def test_the_picker_searches_on_the_server_without_a_script_and_saves_nothing(
    manager_client, laptops
):
    data = {
        "code": "BUSCA",
        "kind": "percentage",
        "value": "10",
        "minimum_subtotal": "0",
        "product_ids": [str(laptops["air"])],
        "is_active": "on",
        "product_q": "zenit pro",
        "product_search": "1",
    }
    response = manager_client.post(reverse("coupons_dashboard:create"), data)
    assert response.status_code == 200 and not Coupon.objects.exists()
    html = response.content.decode()
    assert 'value="BUSCA"' in html and "is-invalid" not in html
    assert f'value="{laptops["air"]}" id="product-pick-{laptops["air"]}" checked' in html
    pro = f'value="{laptops["pro"]}" id="product-pick-{laptops["pro"]}">'
    assert pro in html  # found, not ticked yet
    assert "Auriculares Boreal NC" not in html

    # The manager ticks the result and saves: both products restrict the coupon.
    del data["product_search"]
    data["product_ids"] = [str(laptops["air"]), str(laptops["pro"])]
    response = manager_client.post(reverse("coupons_dashboard:create"), data)
    assert response.status_code == 302
    assert Coupon.objects.get(code="BUSCA").product_ids == sorted([laptops["air"], laptops["pro"]])


def test_the_picker_search_endpoint_finds_by_name_sku_or_id(manager_client, laptops):
    url = reverse("coupons_dashboard:product_search")
    found = manager_client.get(url, {"q": "zenit"}).json()["results"]
    assert {item["id"] for item in found} == {laptops["air"], laptops["pro"]}
    found = manager_client.get(url, {"q": str(laptops["other"])}).json()["results"]
    assert found[0]["id"] == laptops["other"]
    assert manager_client.get(url, {"q": "9" * 40}).json() == {"results": []}
    assert manager_client.get(url, {"q": ""}).json() == {"results": []}


def test_the_picker_search_is_for_managers_only(customer_client, laptops):
    response = customer_client.get(reverse("coupons_dashboard:product_search"), {"q": "zenit"})
    assert response.status_code in (302, 403)
