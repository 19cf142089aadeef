"""Every catalogue and stock download: CSV, CSV for a Spanish Excel, XLSX; never a formula."""

import csv
import io
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from apps.accounts import services as accounts_services
from apps.core import spreadsheets
from apps.inventory import resources
from apps.inventory import services as inventory_services
from tests.inventory.factories import BrandFactory, CategoryFactory, first_variant_id, make_product

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "csv-excel", "xlsx"]
TRIGGERS = ("=", "+", "-", "@")
NUMBER = re.compile(r"-?\d+([.,]\d+)?")  # a number in a CSV ("-1" is a quantity, not a formula)


@pytest.fixture
def manager(client):
    user_id = accounts_services.user_create(
        email="gestora@example.com", password="Clave-segura-123", role="manager"
    )
    client.force_login(get_user_model().objects.get(pk=user_id))
    return client


@pytest.fixture
def hostile():
    """A catalogue whose texts begin with formula characters, with one low-stock variant."""
    category = CategoryFactory(name='=HYPERLINK("http://x")', slug="malicia")
    category.description = "@SUM(1+1)"
    category.save()
    brand = BrandFactory(name="+cmd|' /C calc'!A0")
    product_id = make_product(
        name="-2+3+cmd",
        category=category,
        brand=brand,
        price="1299.99",
        cost="800.50",
        stock=1,
        description="=1+1",
    )
    variant_id = first_variant_id(product_id)
    inventory_services.stock_adjust(
        variant_id=variant_id, delta=-1, reason="=cmd|' /C calc'!A0", user_id=None
    )
    return product_id


def _cells(content: bytes, fmt: str) -> list[list]:
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula cell {cell.coordinate}: {cell.value!r}"
        return [list(row) for row in sheet.values]
    text = content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";" if fmt == "csv-excel" else ","))


def _assert_no_formula(content: bytes, fmt: str) -> list[list]:
    rows = _cells(content, fmt)
    for row in rows:
        for value in row:
            if isinstance(value, str) and not NUMBER.fullmatch(value):
                assert not value.startswith(TRIGGERS), f"{fmt}: {value!r}"
    return rows


EXPORTS = [
    ("inventory_dashboard:export", ["products"]),
    ("inventory_dashboard:export", ["categories"]),
    ("inventory_dashboard:export", ["stock"]),
    ("inventory_dashboard:valuation_export", []),
    ("inventory_dashboard:movement_export", []),
    ("inventory_dashboard:low_stock_export", []),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("name", "args"), EXPORTS)
def test_every_export_neutralises_formulas(manager, hostile, name, args, fmt):
    response = manager.get(reverse(name, args=[*args, fmt]))
    assert response.status_code == 200
    assert response["Content-Type"] == spreadsheets.CONTENT_TYPES[fmt]
    extension = "xlsx" if fmt == "xlsx" else "csv"
    assert response["Content-Disposition"].endswith(f'.{extension}"')
    rows = _assert_no_formula(response.content, fmt)
    assert len(rows) >= 2


def test_the_texts_are_kept_behind_an_apostrophe(manager, hostile):
    rows = _cells(
        manager.get(reverse("inventory_dashboard:export", args=["products", "csv"])).content, "csv"
    )
    header, row = rows[0], rows[1]
    record = dict(zip(header, row, strict=True))
    assert record["product"] == "'-2+3+cmd"
    assert record["brand"] == "'+cmd|' /C calc'!A0"
    assert record["description"] == "'=1+1"
    assert record["price"] == "1299.99"  # numbers are numbers, not text


def test_the_excel_csv_has_a_bom_semicolons_and_decimal_commas(manager, hostile):
    response = manager.get(reverse("inventory_dashboard:export", args=["products", "csv-excel"]))
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = _cells(response.content, "csv-excel")
    record = dict(zip(rows[0], rows[1], strict=True))
    assert (record["price"], record["cost"]) == ("1299,99", "800,50")
    valuation = _cells(
        manager.get(reverse("inventory_dashboard:valuation_export", args=["csv-excel"])).content,
        "csv-excel",
    )
    assert valuation[0] == ["Categoría", "Variantes", "Unidades", "Valor a coste"]
    assert valuation[-1][0] == "Total" and valuation[-1][-1] == "0,00"


def test_xlsx_numbers_are_numbers(manager, hostile):
    rows = _cells(
        manager.get(reverse("inventory_dashboard:export", args=["products", "xlsx"])).content,
        "xlsx",
    )
    record = dict(zip(rows[0], rows[1], strict=True))
    assert isinstance(record["price"], int | float) and float(record["price"]) == 1299.99


def test_movements_export_follows_the_filters(manager, hostile):
    response = manager.get(
        reverse("inventory_dashboard:movement_export", args=["csv"]), {"kind": "adjustment"}
    )
    rows = _cells(response.content, "csv")
    assert rows[0][:5] == ["Fecha", "SKU", "Producto", "Tipo", "Cantidad"]
    assert len(rows) == 2
    assert rows[1][4] == "-1" and rows[1][6] == "'=cmd|' /C calc'!A0"


def test_low_stock_export_lists_the_variants_of_the_page(manager, hostile):
    rows = _cells(
        manager.get(reverse("inventory_dashboard:low_stock_export", args=["xlsx"])).content,
        "xlsx",
    )
    assert rows[0][0] == "SKU"
    assert [(row[1], row[4], row[5]) for row in rows[1:]] == [("'-2+3+cmd", 0, 5)]


def test_the_pages_offer_every_format(manager, hostile):
    for name in ("movement_list", "low_stock", "valuation", "product_list", "category_list"):
        html = manager.get(reverse(f"inventory_dashboard:{name}")).content.decode()
        for fmt in FORMATS:
            assert f'data-export="{fmt}"' in html, (name, fmt)


def test_an_unknown_format_is_404(manager):
    assert (
        manager.get(reverse("inventory_dashboard:low_stock_export", args=["pdf"])).status_code
        == 404
    )
    assert (
        manager.get(reverse("inventory_dashboard:export", args=["stock", "ods"])).status_code == 404
    )


def test_the_admin_export_is_neutralised_too(hostile):
    dataset = resources.ProductResource().export()
    assert dataset.dict[0]["product"] == "'-2+3+cmd"
    assert dataset.dict[0]["description"] == "'=1+1"
