import csv
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils.formats import number_format

from apps.accounts import services as accounts_services
from apps.inventory import exports, selectors, services
from apps.inventory.models import Brand, Category, Product, StockMovement, Variant
from tests.inventory.factories import BrandFactory, CategoryFactory, first_variant_id, make_product

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = "sku,product,category,brand,price,cost,options,description,active,featured\n"


def _csv(text: str) -> bytes:
    return text.encode("utf-8")


def _import(kind: str, content: bytes, *, filename: str = "file.csv", dry_run: bool = False):
    return services.catalogue_import(kind=kind, content=content, filename=filename, dry_run=dry_run)


def _xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def moviles():
    return CategoryFactory(name="Móviles", slug="moviles")


# --- Products --------------------------------------------------------------------------


def test_product_import_creates_one_product_with_its_variants(moviles):
    report = _import("products", (FIXTURES / "products.csv").read_bytes())

    assert report.ok, report
    assert report.totals == {"new": 2, "update": 0, "skip": 0, "error": 0}
    product = Product.objects.get()
    assert product.name == "Móvil Fixture"
    assert product.brand.name == "Astra"
    assert product.price_from == Decimal("499.90")
    assert "FIX-256" in product.search_document
    variants = {v.sku: v for v in Variant.objects.all()}
    assert variants["FIX-256"].options == {"Capacidad": "256 GB"}
    assert variants["FIX-256"].cost == Decimal("400.00")


def test_dry_run_reports_each_row_and_writes_nothing(moviles):
    make_product(
        name="Existente",
        category=moviles,
        variants=[{"sku": "OLD-1", "price": "10.00", "cost": "5.00"}],
    )
    content = _csv(
        HEADER
        + "OLD-1,Existente,moviles,,10.00,5.00,,,1,0\n"  # unchanged
        + "OLD-1X,Nuevo,moviles,,20.00,,,,1,0\n"  # new
    )
    before = (Product.objects.count(), Variant.objects.count(), Brand.objects.count())

    report = _import("products", content, dry_run=True)

    assert report.ok
    assert [(row.number, row.key, row.action) for row in report.rows] == [
        (2, "OLD-1", "skip"),
        (3, "OLD-1X", "new"),
    ]
    assert (Product.objects.count(), Variant.objects.count(), Brand.objects.count()) == before


def test_update_goes_through_the_services_and_keeps_price_from(moviles):
    product_id = make_product(
        name="Tablet", category=moviles, variants=[{"sku": "TAB-1", "price": "300.00"}]
    )
    report = _import("products", _csv(HEADER + "tab-1,Tablet Pro,moviles,,249.99,,,,1,1\n"))

    assert report.ok and report.totals["update"] == 1
    product = Product.objects.get(pk=product_id)
    assert product.name == "Tablet Pro"
    assert product.is_featured
    assert product.price_from == Decimal("249.99")
    assert "Tablet Pro" in product.search_document


def test_one_bad_row_rolls_back_the_whole_file(moviles):
    content = _csv(
        HEADER
        + "OK-1,Bueno,moviles,,10.00,,,,1,0\n"
        + "BAD-1,Malo,moviles,,-5,,,,1,0\n"
        + "BAD-2,Peor,moviles,,diez,,,,1,0\n"
        + "BAD-3,Sin categoría,no-existe,,10,,,,1,0\n"
    )
    report = _import("products", content)

    assert not report.ok
    by_key = {row.key: row for row in report.rows}
    assert by_key["OK-1"].action == "new"
    assert by_key["BAD-1"].action == "error"
    assert "negativo" in " ".join(by_key["BAD-1"].messages)
    assert "no es un número" in " ".join(by_key["BAD-2"].messages)
    assert "no-existe" in " ".join(by_key["BAD-3"].messages)
    assert not Product.objects.exists()
    assert not Variant.objects.exists()


def test_duplicate_skus_inside_the_file_are_row_errors(moviles):
    content = _csv(HEADER + "DUP-1,Uno,moviles,,10,,,,1,0\n" + "dup-1,Dos,moviles,,12,,,,1,0\n")
    report = _import("products", content)

    assert not report.ok
    assert report.rows[1].action == "error"
    assert "repetido" in report.rows[1].messages[0]
    assert "fila 2" in report.rows[1].messages[0]
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sku,product,price\nA-1,Algo,10\n", "Faltan columnas: category"),
        (
            "sku,product,category,price,colour\nA-1,Algo,moviles,10,rojo\n",
            "Columnas desconocidas: colour",
        ),
    ],
)
def test_missing_or_unknown_columns_refuse_the_file(moviles, text, expected):
    report = _import("products", _csv(text))

    assert not report.ok
    assert expected in report.errors[0]
    assert report.rows == []
    assert not Product.objects.exists()


def test_a_csv_neither_utf8_nor_windows_1252_is_refused_with_a_clear_message(moviles):
    content = HEADER.encode() + b"LAT-1,C\x81mara,moviles,,10,,,,1,0\n"  # 0x81: no character
    report = _import("products", content)

    assert not report.ok
    assert "UTF-8" in report.errors[0] and "Windows-1252" in report.errors[0]
    assert not Product.objects.exists()


# --- Spanish spreadsheets: Windows-1252, ";" and numbers written the Spanish way -----------


def _shown(value) -> str:
    """A number as the report shows it (the shop's format for the active language)."""
    if isinstance(value, int):
        return number_format(value, 0, use_l10n=True, force_grouping=True)
    return number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)


SPANISH_HEADER = "sku;product;category;brand;price;cost;options;description;active;featured\n"


def test_a_spanish_excel_csv_in_windows_1252_is_read(moviles):
    content = (
        SPANISH_HEADER
        + "ES-1;Cámara Ñandú;moviles;;1.299;800,5;;Óptica «pro»;1;0\n"
        + "ES-2;Cámara Ñandú;moviles;;1.299,99;0;;;1;0\n"
        + "ES-3;Funda;moviles;;19,90;;;;1;0\n"
    ).encode("cp1252")
    report = _import("products", content)

    assert report.ok, report
    prices = dict(Variant.objects.values_list("sku", "price"))
    assert prices == {
        "ES-1": Decimal("1299.00"),
        "ES-2": Decimal("1299.99"),
        "ES-3": Decimal("19.90"),
    }
    assert Variant.objects.get(sku="ES-1").cost == Decimal("800.50")
    assert Product.objects.filter(name="Cámara Ñandú", description="Óptica «pro»").exists()
    assert report.notes == ["CSV leído en Windows-1252, números a la española (1.299,99)."]
    by_row = {row.number: row.messages for row in report.rows}
    assert by_row[2] == [f"price: «1.299» se ha leído como {_shown('1299.00')}."]
    assert by_row[3] == [f"price: «1.299,99» se ha leído como {_shown('1299.99')}."]
    assert by_row[4] == []  # a decimal comma is how the file writes numbers: nothing to say


def test_a_comma_separated_csv_reads_numbers_with_a_decimal_point(moviles):
    content = _csv(
        HEADER
        + 'EN-1,Cable,moviles,,"1,299.50",,,,1,0\n'
        + "EN-2,Cable,moviles,,10.125,,,,1,0\n"
        + "EN-3,Cable,moviles,,1.299,,,,1,0\n"
    )
    report = _import("products", content)

    assert report.ok, report
    prices = dict(Variant.objects.values_list("sku", "price"))
    assert prices == {
        "EN-1": Decimal("1299.50"),
        "EN-2": Decimal("10.13"),  # half-up, as money() rounds everywhere
        "EN-3": Decimal("1.30"),
    }
    by_row = {row.number: row.messages for row in report.rows}
    assert by_row[2] == [f"price: «1,299.50» se ha leído como {_shown('1299.50')}."]
    assert by_row[4] == [f"price: «1.299» se ha leído como {_shown('1.30')}."]  # said, never silent


def test_stock_counts_are_read_the_spanish_way_too(moviles):
    make_product(category=moviles, variants=[{"sku": "STK-1", "price": "10", "initial_stock": 0}])
    report = _import("stock", "sku;on_hand\nSTK-1;1.500\n".encode("cp1252"))

    assert report.ok, report
    assert Variant.objects.get(sku="STK-1").on_hand == 1500
    assert report.rows[0].messages == [f"on_hand: «1.500» se ha leído como {_shown(1500)}."]
    bad = _import("stock", b"sku;on_hand\nSTK-1;1,5\n")
    assert bad.rows[0].messages == ["on_hand: «1,5» no es un número entero."]


def test_an_excel_csv_export_imports_back_unchanged(moviles):
    make_product(
        name="=Cámara «pro»",
        category=moviles,
        variants=[{"sku": "RT-1", "price": "1299.99", "cost": "800.50"}],
        description="-fácil",
    )
    for fmt in ("csv", "csv-excel", "xlsx"):
        exported = exports.catalogue_export(kind="products", fmt=fmt)
        filename = "catalogo.xlsx" if fmt == "xlsx" else "catalogo.csv"
        report = _import("products", exported, filename=filename, dry_run=True)
        assert report.ok, (fmt, report)
        assert [row.action for row in report.rows] == ["skip"], (fmt, report)


def test_a_large_spanish_csv_is_read_the_same_way_by_a_background_job(
    moviles, django_capture_on_commit_callbacks
):
    content = (SPANISH_HEADER + "BIG-1;Cámara;moviles;;1.299;;;;1;0\n").encode("cp1252")
    with django_capture_on_commit_callbacks(execute=True):
        job_id = services.import_job_create(
            kind="products",
            file=ContentFile(content, name="grande.csv"),
            filename="grande.csv",
            dry_run=False,
            background=True,
        )
    report = selectors.import_job_report(job_id=job_id)
    assert [(row.action, row.messages) for row in report.rows] == [
        ("new", [f"price: «1.299» se ha leído como {_shown('1299.00')}."])
    ]
    assert report.notes == ["CSV leído en Windows-1252, números a la española (1.299,99)."]
    assert Variant.objects.get(sku="BIG-1").price == Decimal("1299.00")
    assert Product.objects.get(variants__sku="BIG-1").name == "Cámara"


@pytest.mark.parametrize(
    ("filename", "content", "expected"),
    [
        ("catalogo.pdf", b"%PDF-1.4", "Formato no admitido"),
        ("catalogo.xlsx", b"sku,product\n", "no es un libro XLSX"),
        ("catalogo.csv", b"PK\x03\x04binary", "no es un CSV"),
        ("catalogo.csv", b"", "vacío"),
    ],
)
def test_files_that_are_neither_csv_nor_xlsx_are_refused(filename, content, expected):
    report = _import("products", content, filename=filename)

    assert not report.ok
    assert expected in report.errors[0]


def test_xlsx_import_and_semicolon_csv(moviles):
    content = _xlsx(
        [
            ["sku", "product", "category", "price", "cost", "active"],
            ["XL-1", "Portátil XL", "moviles", 999.9, 700, 1],
            [None, None, None, None, None, None],  # a blank line at the end is ignored
        ]
    )
    report = _import("products", content, filename="catalogo.xlsx")
    assert report.ok, report
    assert Variant.objects.get(sku="XL-1").price == Decimal("999.90")

    report = _import("products", _csv("sku;product;category;price\nSC-1;Ratón;moviles;19,95\n"))
    assert report.ok, report
    assert Variant.objects.get(sku="SC-1").price == Decimal("19.95")


def test_a_new_sku_joins_the_existing_product_of_the_same_name(moviles):
    product_id = make_product(
        name="Auriculares", category=moviles, variants=[{"sku": "AUR-N", "price": "50.00"}]
    )
    report = _import(
        "products", _csv(HEADER + "AUR-B,Auriculares,moviles,,55.00,,Color: Blanco,,1,0\n")
    )

    assert report.ok
    assert Variant.objects.get(sku="AUR-B").product_id == product_id
    assert Product.objects.count() == 1


# --- Categories ------------------------------------------------------------------------


def test_category_import_builds_the_tree_in_file_order():
    report = _import("categories", (FIXTURES / "categories.csv").read_bytes())

    assert report.ok, report
    moviles = Category.objects.get(slug="moviles")
    assert moviles.parent.slug == "electronica"
    assert moviles.icon == "phone"
    assert moviles.position == 1

    again = _import("categories", (FIXTURES / "categories.csv").read_bytes())
    assert again.totals == {"new": 0, "update": 0, "skip": 2, "error": 0}


def test_category_import_refuses_an_unknown_parent():
    report = _import("categories", _csv("slug,name,parent\nhijos,Hijos,no-hay\n"))

    assert not report.ok
    assert "no-hay" in report.rows[0].messages[0]
    assert not Category.objects.exists()


# --- Stock -----------------------------------------------------------------------------


def test_stock_import_writes_adjustments_so_the_ledger_stays_true(moviles):
    make_product(
        name="Móvil Fixture",
        category=moviles,
        variants=[
            {"sku": "FIX-128", "price": "10", "initial_stock": 5},
            {"sku": "FIX-256", "price": "12", "initial_stock": 3},
        ],
    )
    report = _import("stock", (FIXTURES / "stock.csv").read_bytes())

    assert report.ok, report
    assert Variant.objects.get(sku="FIX-128").on_hand == 12
    assert Variant.objects.get(sku="FIX-256").on_hand == 0
    adjustments = StockMovement.objects.filter(kind="adjustment").order_by("variant__sku")
    assert [(m.variant.sku, m.quantity, m.reason) for m in adjustments] == [
        ("FIX-128", 7, "Importación de existencias"),
        ("FIX-256", -3, "Importación de existencias"),
    ]
    # The same file again changes nothing and writes no movement.
    again = _import("stock", (FIXTURES / "stock.csv").read_bytes())
    assert again.totals["skip"] == 2
    assert StockMovement.objects.filter(kind="adjustment").count() == 2
    # (the conftest checks on_hand == sum of the ledger after this test)


def test_stock_import_refuses_unknown_skus_and_negative_levels(moviles):
    variant_id = first_variant_id(
        make_product(
            category=moviles, variants=[{"sku": "STK-1", "price": "10", "initial_stock": 4}]
        )
    )
    report = _import("stock", _csv("sku,on_hand\nSTK-1,9\nNOPE,1\nSTK-1B,-2\n"))

    assert not report.ok
    assert "NOPE" in report.rows[1].messages[0]
    assert Variant.objects.get(pk=variant_id).on_hand == 4  # row 1 rolled back with the rest
    assert not StockMovement.objects.filter(kind="adjustment").exists()


# --- Export ----------------------------------------------------------------------------


def test_product_export_round_trips_as_unchanged(moviles):
    make_product(
        name="Cámara",
        category=moviles,
        brand=BrandFactory(name="Lumo"),
        variants=[
            {"sku": "CAM-1", "price": "249.00", "cost": "150.00", "options": {"Color": "Negro"}}
        ],
    )
    data = exports.catalogue_export(kind="products", fmt="csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))

    assert rows == [
        {
            "sku": "CAM-1",
            "product": "Cámara",
            "category": "moviles",
            "brand": "Lumo",
            "price": "249.00",
            "cost": "150.00",
            "options": "Color: Negro",
            "description": "",
            "active": "1",
            "featured": "0",
        }
    ]
    assert _import("products", data).totals == {"new": 0, "update": 0, "skip": 1, "error": 0}

    book = openpyxl.load_workbook(io.BytesIO(exports.catalogue_export(kind="products", fmt="xlsx")))
    values = list(book.active.values)
    assert values[0][:5] == ("sku", "product", "category", "brand", "price")
    assert values[1][0] == "CAM-1"
    assert Decimal(str(values[1][4])) == Decimal("249.00")


def test_stock_export(moviles):
    make_product(category=moviles, variants=[{"sku": "EXP-1", "price": "10", "initial_stock": 7}])
    data = exports.catalogue_export(kind="stock", fmt="csv").decode("utf-8")
    assert data.splitlines() == ["sku,on_hand", "EXP-1,7"]


# --- Commands --------------------------------------------------------------------------


def test_import_command_dry_run_then_apply(moviles, capsys):
    path = str(FIXTURES / "products.csv")
    call_command("import_catalogue", path, "--kind", "products", "--dry-run")
    assert not Product.objects.exists()
    assert "fila 2 FIX-128: new" in capsys.readouterr().out

    call_command("import_catalogue", path, "--kind", "products")
    assert Variant.objects.count() == 2


def test_import_command_fails_on_errors(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,on_hand\nNOPE,3\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(bad), "--kind", "stock")
    assert "NOPE" in capsys.readouterr().err


def test_export_command_writes_the_format_of_the_extension(moviles, tmp_path):
    make_product(category=moviles, variants=[{"sku": "CMD-1", "price": "10"}])
    target = tmp_path / "catalogo.xlsx"
    call_command("export_catalogue", str(target), "--kind", "products")
    assert target.read_bytes().startswith(b"PK")
    with pytest.raises(CommandError):
        call_command("export_catalogue", str(tmp_path / "catalogo.txt"))


def test_export_command_writes_a_csv_for_a_spanish_excel(moviles, tmp_path):
    make_product(category=moviles, variants=[{"sku": "CMD-1", "price": "10.50"}])
    target = tmp_path / "catalogo.csv"
    call_command("export_catalogue", str(target), "--kind", "products", "--excel")
    text = target.read_bytes().decode("utf-8")
    assert text.startswith("\ufeffsku;product;")
    assert ";10,50;" in text


# --- Dashboard upload -> dry run -> confirm ------------------------------------------------


@pytest.fixture
def manager_client(client):
    user_id = accounts_services.user_create(
        email="gestor@example.com", password="una-clave-segura-123", role="manager"
    )
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(pk=user_id))
    return client


def _upload(client, kind: str, content: bytes, name: str = "file.csv"):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(reverse("inventory_dashboard:import"), {"kind": kind, "file": upload})


def test_dashboard_import_dry_run_then_confirm(manager_client, moviles):
    response = _upload(manager_client, "products", (FIXTURES / "products.csv").read_bytes())

    assert response.status_code == 200
    assert response.context["report"].totals["new"] == 2
    assert not Product.objects.exists()
    token = response.context["token"]
    assert token

    response = manager_client.post(reverse("inventory_dashboard:import_confirm"), {"token": token})

    assert response.status_code == 200
    assert response.context["report"].applied
    assert Variant.objects.count() == 2
    # The token is spent: confirming twice does nothing.
    response = manager_client.post(reverse("inventory_dashboard:import_confirm"), {"token": token})
    assert response.status_code == 302
    assert Variant.objects.count() == 2


def test_dashboard_import_shows_row_errors_and_offers_no_confirm(manager_client, moviles):
    response = _upload(manager_client, "products", _csv(HEADER + "X-1,Malo,moviles,,-1,,,,1,0\n"))

    assert response.status_code == 200
    assert response.context["token"] is None
    assert "no puede ser negativo" in response.content.decode()
    assert "import_confirm" not in response.content.decode()


def test_dashboard_import_stock_records_the_manager(manager_client, moviles):
    make_product(category=moviles, variants=[{"sku": "MGR-1", "price": "10", "initial_stock": 1}])
    response = _upload(manager_client, "stock", _csv("sku,on_hand\nMGR-1,6\n"))
    manager_client.post(
        reverse("inventory_dashboard:import_confirm"), {"token": response.context["token"]}
    )
    movement = StockMovement.objects.get(kind="adjustment")
    assert movement.quantity == 5
    assert movement.user.email == "gestor@example.com"


def test_dashboard_export_download(manager_client, moviles):
    make_product(category=moviles, variants=[{"sku": "DL-1", "price": "10"}])
    response = manager_client.get(reverse("inventory_dashboard:export", args=["products", "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "DL-1" in response.content.decode()
    assert (
        manager_client.get(
            reverse("inventory_dashboard:export", args=["products", "pdf"])
        ).status_code
        == 404
    )


# --- Admin ---------------------------------------------------------------------------------


def test_admin_import_export_pages_and_read_only_ledger(client, moviles):
    user_id = accounts_services.user_create(
        email="admin@example.com", password="una-clave-segura-123", role="administrator"
    )
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(pk=user_id))
    make_product(category=moviles, variants=[{"sku": "ADM-1", "price": "10", "initial_stock": 2}])
    for name in ("variant", "category", "brand"):
        assert client.get(reverse(f"admin:inventory_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:inventory_{name}_import")).status_code == 200
    assert client.get(reverse("admin:inventory_stockmovement_changelist")).status_code == 200
    assert client.get(reverse("admin:inventory_stockmovement_add")).status_code == 403

    # The admin runs the same resource: a file with the wrong columns is refused, nothing changes.
    upload = io.BytesIO(b"sku,on_hand\nADM-1,9\n")
    upload.name = "stock.csv"
    response = client.post(
        reverse("admin:inventory_variant_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )
    assert response.status_code == 200
    assert Variant.objects.get(sku="ADM-1").on_hand == 2


def test_dashboard_says_how_a_spanish_file_was_read(manager_client, moviles):
    content = (SPANISH_HEADER + "DS-1;Cámara;moviles;;1.299;;;;1;0\n").encode("cp1252")
    html = _upload(manager_client, "products", content).content.decode()

    assert "CSV leído en Windows-1252, números a la española (1.299,99)." in html
    assert "price: «1.299» se ha leído como" in html


# --- Hostile files: each a clear row error from the check, nothing written ------------------


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        ("1000000000", "price: El importe no puede pasar de 99.999.999,99 €."),
        ("1e9", "price: «1e9» no es un número."),
        ("NaN", "price: «NaN» no es un número."),
        ("Infinity", "price: «Infinity» no es un número."),
        ("-Infinity", "price: «-Infinity» no es un número."),
    ],
)
def test_a_price_that_cannot_be_stored_is_a_row_error_of_the_check(moviles, price, expected):
    report = _import("products", _csv(HEADER + f"H-1,Malo,moviles,,{price},,,,1,0\n"))

    assert report.errors == []
    assert [(row.action, row.messages) for row in report.rows] == [("error", [expected])]
    assert not Product.objects.exists()


def test_an_xlsx_number_past_the_price_column_is_a_row_error(moviles):
    content = _xlsx([["sku", "product", "category", "price"], ["H-1", "Malo", "moviles", 1e9]])
    report = _import("products", content, filename="h.xlsx")

    assert report.rows[0].messages == ["price: El importe no puede pasar de 99.999.999,99 €."]
    assert not Product.objects.exists()


def test_a_name_longer_than_its_column_is_refused_not_cut(moviles):
    report = _import("products", _csv(HEADER + f"H-1,{'n' * 5000},moviles,,10,,,,1,0\n"))

    assert report.rows[0].action == "error"
    assert report.rows[0].messages == ["product: Tiene 5000 caracteres; el máximo es 200."]
    assert not Product.objects.exists()


def test_a_csv_cell_over_128_kb_is_a_row_error_not_a_quoting_error(moviles):
    huge = "x" * (130 * 1024)
    content = _csv(HEADER + f"H-1,Bueno,moviles,,10,,,{huge},1,0\nH-2,Otro,moviles,,10,,,,1,0\n")
    report = _import("products", content)

    assert report.errors == []
    assert report.rows[0].action == "error"
    assert report.rows[0].messages == [
        f"description: Tiene {len(huge)} caracteres; el máximo es 32767."
    ]
    assert report.rows[1].action == "new"
    assert not Product.objects.exists()


def _with_cell(content: bytes, placeholder: str, value: str) -> bytes:
    """The workbook with one cell's text swapped in its XML (openpyxl itself cuts a cell to
    32,767 characters when it writes, as Excel does; other programs do not)."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, data.replace(placeholder.encode(), value.encode()))
    return out.getvalue()


def test_an_xlsx_with_a_10_mb_cell_is_a_row_error(moviles):
    huge = "x" * (10 * 1024 * 1024)
    content = _with_cell(
        _xlsx(
            [
                ["sku", "product", "category", "price", "description"],
                ["H-1", "A", "moviles", 10, "HUGE-CELL"],
            ]
        ),
        "HUGE-CELL",
        huge,
    )
    report = _import("products", content, filename="h.xlsx")

    assert report.rows[0].action == "error"
    assert report.rows[0].messages == [
        f"description: Tiene {len(huge)} caracteres; el máximo es 32767."
    ]
    assert not Product.objects.exists()


def test_a_file_that_passes_the_check_imports(moviles):
    """The check and the import share one validation: what the check accepts is written."""
    content = _csv(
        HEADER
        + f"OK-1,{'n' * 200},moviles,Marca {'m' * 100},99999999.99,0,Color: Negro,,1,0\n"
        + "OK-2,Otro,moviles,,0.01,,,,0,1\n"
    )
    checked = _import("products", content, dry_run=True)
    assert checked.ok, checked
    report = _import("products", content)
    assert report.applied, report
    assert Variant.objects.get(sku="OK-1").price == Decimal("99999999.99")
    assert Product.objects.get(variants__sku="OK-2").is_featured
