"""Order-history import: whole files checked first, nothing half-written, ledgers balanced
(the conftest checks stock = its ledger and sales ledger = orders after every test)."""

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.inventory import selectors as inventory_selectors
from apps.sales import selectors as sales_selectors
from apps.sales import services
from apps.sales.models import LedgerEntry, Order, OrderLine, Payment, Refund
from tests.inventory.factories import make_product

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
HEADER = (
    "pedido,fecha,cliente,estado,forma_pago,pagado,envio,codigo_postal,provincia,cupon,"
    "total,reembolsado,fecha_reembolso,sku,cantidad,precio,descuento,devueltas"
)


@pytest.fixture
def skus():
    make_product(name="Portátil", variants=[{"sku": "LAP-1", "price": "500.00", "initial_stock": 10}])  # fmt: skip
    make_product(name="Ratón", variants=[{"sku": "MOU-1", "price": "20.00", "initial_stock": 10}])
    return ("LAP-1", "MOU-1")


def csv_file(*rows: str, header: str = HEADER) -> io.BytesIO:
    return io.BytesIO(("\n".join((header, *rows)) + "\n").encode())


GOOD = (
    # paid and delivered, two lines, a coupon discount and shipping, refunded in part later
    "H-1,2024-11-29 23:30,ana@example.com,delivered,card,2024-11-29 23:31,4.99,28013,Madrid,"
    "BF10,514.99,20.00,2024-12-10 10:00,LAP-1,1,500.00,10.00,0",
    "H-1,2024-11-29 23:30,ana@example.com,delivered,card,2024-11-29 23:31,4.99,28013,Madrid,"
    "BF10,514.99,20.00,2024-12-10 10:00,MOU-1,1,20.00,0,1",
    # a transfer never paid, then cancelled
    "H-2,2024-12-01 10:00,BEA@example.com,cancelled,transfer,,0,08001,Barcelona,,40.00,,,MOU-1,2,20.00,0,0",
    # paid then cancelled: all the money back
    "H-3,2025-03-30 01:30,ana@example.com,cancelled,card,2025-03-30 01:31,0,41001,Sevilla,,"
    "500.00,500.00,2025-03-31 09:00,LAP-1,1,500.00,0,0",
)


def test_a_good_file_loads_orders_lines_payments_refunds_and_ledger(skus):
    report = services.order_history_import(
        file=csv_file(*GOOD), filename="h.csv", stock=services.STOCK_UNTOUCHED
    )
    assert report.ok, report.errors
    assert (report.orders, report.lines, report.imported) == (3, 4, 3)
    first = Order.objects.get(number="H-1")
    assert first.created_at == datetime(2024, 11, 29, 23, 30, tzinfo=MADRID)
    assert (first.subtotal, first.discount, first.shipping, first.total, first.refunded) == (
        Decimal("520.00"),
        Decimal("10.00"),
        Decimal("4.99"),
        Decimal("514.99"),
        Decimal("20.00"),
    )
    assert first.coupon_code == "BF10" and first.email == "ana@example.com"
    assert OrderLine.objects.get(order=first, sku="MOU-1").refunded_quantity == 1
    ledger = list(LedgerEntry.objects.filter(order=first).values_list("kind", "amount"))
    assert ledger == [("sale", Decimal("514.99")), ("refund", Decimal("-20.00"))]
    assert Refund.objects.get(order=first).status == "succeeded"
    assert not LedgerEntry.objects.filter(order__number="H-2").exists()
    assert Payment.objects.get(order__number="H-3").status == "refunded"
    # the same customer across orders; a new one created without a usable password
    assert Order.objects.get(number="H-3").customer_id == first.customer_id
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.get(email="bea@example.com").has_usable_password()
    assert sales_selectors.ledger_net_revenue() == Decimal("514.99") - Decimal("20.00")
    # history only: stock untouched
    assert inventory_selectors.variant_refs_by_sku(skus=["LAP-1"])["LAP-1"].on_hand == 10


def test_importing_again_skips_what_is_there(skus):
    services.order_history_import(file=csv_file(*GOOD), filename="h.csv", stock="untouched")
    again = services.order_history_import(file=csv_file(*GOOD), filename="h.csv", stock="untouched")
    assert again.ok and (again.imported, again.skipped) == (0, 3)
    assert Order.objects.count() == 3


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("X-1,2025-01-02 10:00,a@example.com,paid,card,2025-01-02 10:00,0,,,,30.00,,,NOPE-9,1,30.00,0,0", "SKU desconocido: NOPE-9"),
        ("X-1,2025-01-02 10:00,a@example.com,paid,card,2025-01-02 10:00,0,,,,21.00,,,MOU-1,1,20.00,0,0", "no cuadra con sus líneas"),
        ("X-1,2025-01-02 10:00,a@example.com,paid,card,2025-01-02 10:00,0,,,,20.00,,,MOU-1,1,veinte,0,0", "«veinte» no es un número"),
        ("X-1,2025-01-02 10:00,a@example.com,paid,card,2025-01-02 10:00,0,,,,-20.00,,,MOU-1,1,-20.00,0,0", "precio no válido"),
        ("X-1,2025-01-02 10:00,a@example.com,paid,card,,0,,,,20.00,,,MOU-1,1,20.00,0,0", "necesita la fecha de pago"),
        ("X-1,2025-01-02 10:00,a@example.com,paid,card,2025-01-02 10:00,0,,,,20.00,25.00,2025-01-03 10:00,MOU-1,1,20.00,0,0", "Se reembolsa más"),
        ("X-1,2025-01-02 10:00,a@example.com,paid,card,2025-01-01 10:00,0,,,,20.00,,,MOU-1,1,20.00,0,0", "anterior al pedido"),
        ("X-1,2099-01-02 10:00,a@example.com,paid,card,2099-01-02 10:00,0,,,,20.00,,,MOU-1,1,20.00,0,0", "imposible"),
    ],
)  # fmt: skip
def test_a_bad_row_is_reported_in_spanish_and_nothing_is_written(skus, row, message):
    report = services.order_history_import(
        file=csv_file(*GOOD, row), filename="h.csv", stock=services.STOCK_UNTOUCHED
    )
    assert not report.ok
    assert {e.row for e in report.errors} == {6}
    assert message in report.errors[0].message
    assert Order.objects.count() == 0 and LedgerEntry.objects.count() == 0


def test_lines_of_an_order_must_agree_and_come_together(skus):
    broken = GOOD[1].replace("delivered", "shipped")
    report = services.order_history_import(
        file=csv_file(GOOD[0], broken), filename="h.csv", stock="untouched"
    )
    assert "cambian entre sus líneas" in report.errors[0].message
    apart = services.order_history_import(
        file=csv_file(GOOD[0], GOOD[2], GOOD[1]), filename="h.csv", stock="untouched"
    )
    assert "deben ir seguidas" in apart.errors[0].message
    assert Order.objects.count() == 0


def test_stock_movements_mode_keeps_stock_equal_to_its_ledger(skus):
    report = services.order_history_import(
        file=csv_file(*GOOD), filename="h.csv", stock=services.STOCK_MOVEMENTS
    )
    assert report.ok, report.errors
    refs = inventory_selectors.variant_refs_by_sku(skus=skus)
    # LAP-1: H-1 sold 1 (kept); H-3 sold 1 then cancelled → 10 - 1
    # MOU-1: H-1 sold 1, returned 1; H-2 sold 2 then cancelled → 10
    assert (refs["LAP-1"].on_hand, refs["MOU-1"].on_hand) == (9, 10)
    assert inventory_selectors.stock_ledger_mismatches() == []


def test_stock_movements_mode_refuses_history_that_sells_more_than_there_is(skus):
    row = "B-1,2025-01-02 10:00,a@example.com,paid,card,2025-01-02 10:00,0,,,,10000.00,,,LAP-1,20,500.00,0,0"
    report = services.order_history_import(
        file=csv_file(row), filename="h.csv", stock=services.STOCK_MOVEMENTS
    )
    assert not report.ok and "solo hay 10" in report.errors[0].message
    assert Order.objects.count() == 0


def test_a_spanish_excel_csv_and_an_xlsx_read_the_same(skus):
    spanish = io.BytesIO(
        (
            HEADER.replace(",", ";")
            + "\nS-1;2025-01-02 10:00;a@example.com;paid;transfer;2025-01-03 09:00;4,99;;;;"
            "1.004,99;;;LAP-1;2;500,00;0;0\n"
        ).encode("cp1252")
    )
    assert services.order_history_import(file=spanish, filename="h.csv", stock="untouched").ok
    book = openpyxl.Workbook()
    book.active.append(HEADER.split(","))
    book.active.append(
        ["X-1", datetime(2025, 1, 2, 10, 0), "a@example.com", "paid", "card",
         datetime(2025, 1, 2, 10, 1), 0, "", "", "", 40, None, None, "MOU-1", 2, 20, 0, 0]
    )  # fmt: skip
    content = io.BytesIO()
    book.save(content)
    report = services.order_history_import(file=content, filename="h.xlsx", stock="untouched")
    assert report.ok, report.errors
    assert Order.objects.get(number="S-1").total == Decimal("1004.99")
    assert Order.objects.get(number="X-1").total == Decimal("40.00")


def test_the_command_reports_errors_and_refuses(skus, tmp_path, capsys):
    path = tmp_path / "h.csv"
    path.write_bytes(csv_file(*GOOD).getvalue())
    call_command("import_orders", str(path), "--dry-run")
    assert Order.objects.count() == 0
    call_command("import_orders", str(path))
    assert "importados=3" in capsys.readouterr().out
    bad = (GOOD[0].replace("LAP-1", "ZZZ"), GOOD[1])
    path.write_bytes(csv_file(*(row.replace("H-1", "H-9") for row in bad)).getvalue())
    path.rename(tmp_path / "bad.csv")
    with pytest.raises(CommandError, match="no se ha guardado nada"):
        call_command("import_orders", str(tmp_path / "bad.csv"))
    assert "SKU desconocido: ZZZ" in capsys.readouterr().err


def test_a_missing_column_is_a_clear_error(skus):
    with pytest.raises(services.OrderImportError, match="Faltan columnas: sku"):
        services.order_history_import(
            file=csv_file(header=HEADER.replace(",sku", ",articulo")),
            filename="h.csv",
            stock="untouched",
        )
