"""Order history from a CSV or XLSX file: one row per order line, the order's own columns
repeated on each of its lines (which come one after another).

The file is read twice, streamed: first every row is checked (nothing is written if any is
wrong), then the orders are written in batches. CSV in UTF-8 or Windows-1252, separated by
``,`` (numbers 1299.99) or ``;`` (numbers 1.299,99, as a Spanish Excel writes them); dates
in ISO 8601 (``2025-03-31 23:30``: shop time when there is no offset).
"""

import contextlib
import csv
import io
import itertools
import unicodedata
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core import spreadsheets
from apps.inventory import selectors as inventory_selectors

from .order_import import (
    STOCK_MOVEMENTS,
    HistoryLine,
    HistoryOrder,
    HistoryRefund,
    OrderImportError,
    OrderImportReport,
    RowError,
)
from .order_import_write import check_batch, history_movements, order_history_load

REQUIRED = ("pedido", "fecha", "cliente", "estado", "forma_pago", "sku", "cantidad", "precio")
OPTIONAL = (
    "pagado", "envio", "forma_envio", "nombre", "codigo_postal", "ciudad", "provincia",
    "pais", "cupon", "total", "reembolsado", "fecha_reembolso", "descuento", "devueltas",
)  # fmt: skip
ORDER_COLUMNS = (
    "fecha", "cliente", "estado", "forma_pago", "pagado", "envio", "forma_envio", "nombre",
    "codigo_postal", "ciudad", "provincia", "pais", "cupon", "total", "reembolsado",
    "fecha_reembolso",
)  # fmt: skip


class _BadCell(ValueError):
    pass


def _header(value) -> str:
    text = unicodedata.normalize("NFKD", str(value or "").strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace(" ", "_").replace("-", "_")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return spreadsheets.unescape_text(str(value).strip())


def _decimal(value, column: str, style: str, *, default=None) -> Decimal:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(str(value))
    text = _text(value)
    if not text:
        if default is not None:
            return default
        raise _BadCell(_("falta %(column)s.") % {"column": column})
    try:
        return spreadsheets.read_number(text, style)[0]
    except spreadsheets.NotANumber:
        raise _BadCell(
            _("%(column)s: «%(value)s» no es un número.") % {"column": column, "value": text}
        ) from None


def _integer(value, column: str, style: str, *, default=None) -> int:
    number = _decimal(value, column, style, default=default)
    if number != number.to_integral_value():
        raise _BadCell(_("%(column)s: «%(value)s» no es un entero.") % {"column": column, "value": value})  # fmt: skip
    return int(number)


def _moment(value, column: str, *, required: bool) -> datetime | None:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, datetime.min.time())
    else:
        text = _text(value)
        if not text:
            if required:
                raise _BadCell(_("falta %(column)s.") % {"column": column})
            return None
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise _BadCell(
                _("%(column)s: «%(value)s» no es una fecha (AAAA-MM-DD HH:MM).")
                % {"column": column, "value": text}
            ) from None
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


def _order(rows: list[tuple[int, dict]], style: str) -> HistoryOrder:
    """One order from its rows; _BadCell (with the row) if a cell cannot be read."""
    number, first = rows[0]
    for row_number, cells in rows[1:]:
        if any(_text(cells.get(c)) != _text(first.get(c)) for c in ORDER_COLUMNS):
            raise _BadCell(row_number, _("los datos del pedido cambian entre sus líneas."))
    lines = []
    for row_number, cells in rows:
        try:
            lines.append(
                HistoryLine(
                    sku=_text(cells.get("sku")).upper(),
                    quantity=_integer(cells.get("cantidad"), "cantidad", style),
                    unit_price=_decimal(cells.get("precio"), "precio", style),
                    discount=_decimal(
                        cells.get("descuento"), "descuento", style, default=Decimal(0)
                    ),
                    refunded_quantity=_integer(
                        cells.get("devueltas"), "devueltas", style, default=Decimal(0)
                    ),
                )
            )
        except _BadCell as error:
            raise _BadCell(row_number, error.args[0]) from None
    try:
        refunded = _decimal(first.get("reembolsado"), "reembolsado", style, default=Decimal(0))
        refund_at = _moment(first.get("fecha_reembolso"), "fecha_reembolso", required=bool(refunded))  # fmt: skip
        total = _text(first.get("total"))
        return HistoryOrder(
            number=_text(first.get("pedido")),
            created_at=_moment(first.get("fecha"), "fecha", required=True),
            email=_text(first.get("cliente")).lower(),
            status=_text(first.get("estado")).lower(),
            payment_method=_text(first.get("forma_pago")).lower(),
            lines=lines,
            paid_at=_moment(first.get("pagado"), "pagado", required=False),
            shipping=_decimal(first.get("envio"), "envio", style, default=Decimal(0)),
            shipping_method=_text(first.get("forma_envio")).lower() or "standard",
            name=_text(first.get("nombre")),
            postal_code=_text(first.get("codigo_postal")),
            city=_text(first.get("ciudad")),
            province=_text(first.get("provincia")),
            country=_text(first.get("pais")).upper() or "ES",
            coupon_code=_text(first.get("cupon")).upper(),
            total=_decimal(first.get("total"), "total", style) if total else None,
            refunds=(HistoryRefund(refunded, refund_at),) if refunded else (),
            row=number,
        )
    except _BadCell as error:
        raise _BadCell(number, error.args[0]) from None


# --- Reading the file ----------------------------------------------------------------------


def _csv_rows(file, reading: dict) -> Iterator[list]:
    head = file.read(4096)
    file.seek(0)
    if not head:
        raise OrderImportError(_("El archivo está vacío."))
    if head.startswith(b"PK\x03\x04") or b"\x00" in head:
        raise OrderImportError(_("El archivo no es un CSV de texto."))
    encoding = spreadsheets.sniff_encoding(file)
    text = io.TextIOWrapper(file, encoding=encoding, newline="")
    try:
        first = text.readline()
        delimiter = ";" if first.count(";") > first.count(",") else ","
        reading["style"] = spreadsheets.number_style(delimiter)
        yield from csv.reader(itertools.chain([first], text), delimiter=delimiter)
    except csv.Error:
        raise OrderImportError(_("El CSV no se puede leer: revise las comillas.")) from None
    finally:
        with contextlib.suppress(ValueError):
            text.detach()  # the caller owns the file


def _xlsx_rows(file) -> Iterator[list]:
    import openpyxl

    if file.read(4) != b"PK\x03\x04":
        raise OrderImportError(_("El archivo no es un libro XLSX válido."))
    file.seek(0)
    try:
        book = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error for a damaged file
        raise OrderImportError(_("No se pudo leer el libro XLSX: está dañado.")) from None
    try:
        for cells in book.active.iter_rows(values_only=True):
            yield list(cells)
    finally:
        book.close()


def _records(file, fmt: str, reading: dict) -> Iterator[tuple[int, dict]]:
    """(row number, {column: cell}) of each non-blank data row."""
    file.seek(0)
    rows = _xlsx_rows(file) if fmt == "xlsx" else _csv_rows(file, reading)
    headers = None
    for number, cells in enumerate(rows, 1):
        if all(_text(c) == "" for c in cells):
            continue
        if headers is None:
            headers = [_header(c) for c in cells]
            missing = [c for c in REQUIRED if c not in headers]
            if missing:
                raise OrderImportError(
                    _("Faltan columnas: %(columns)s.") % {"columns": ", ".join(missing)}
                )
            continue
        yield number, dict(zip(headers, cells, strict=False))
    if headers is None:
        raise OrderImportError(_("El archivo está vacío."))


def _orders(file, fmt: str, report: OrderImportReport | None) -> Iterator[HistoryOrder]:
    """The file's orders; rows that cannot be read go to ``report`` (their order is left out)."""
    reading = {"style": spreadsheets.SPANISH}
    seen: set[str] = set()
    grouped = itertools.groupby(_records(file, fmt, reading), key=lambda r: _text(r[1].get("pedido")))  # fmt: skip
    for number, rows in grouped:
        rows = list(rows)
        try:
            if number in seen:
                raise _BadCell(rows[0][0], _("las líneas de un pedido deben ir seguidas."))
            seen.add(number)
            yield _order(rows, reading["style"])
        except _BadCell as error:
            if report is not None:
                report.orders += 1
                report.lines += len(rows)
                report.add_error(RowError(error.args[0], number, error.args[1]))


def _check_file(file, fmt: str, stock: str, batch_size: int, report: OrderImportReport):
    now, net = timezone.now(), Counter()
    orders = _orders(file, fmt, report)
    while batch := list(itertools.islice(orders, batch_size)):
        refs = inventory_selectors.variant_refs_by_sku(
            skus=[line.sku for order in batch for line in order.lines]
        )
        fresh = check_batch(batch, report, refs, now)
        if stock == STOCK_MOVEMENTS:
            for order in fresh:
                for move in history_movements(order, refs):
                    net[move.variant_id] += move.quantity
    if stock == STOCK_MOVEMENTS and net:
        _check_stock(net, report)


def _check_stock(net: Counter, report: OrderImportReport) -> None:
    refs = {ref.id: ref for ref in inventory_selectors.variant_refs_by_id(variant_ids=list(net))}
    for variant_id, delta in sorted(net.items()):
        ref = refs[variant_id]
        if ref.on_hand + delta < 0:
            report.add_error(
                RowError(
                    None,
                    ref.sku,
                    _(
                        "El histórico vende %(sold)s unidades netas de %(sku)s y solo hay "
                        "%(on_hand)s en existencias (importe con stock sin tocar, o reciba "
                        "antes ese stock)."
                    )
                    % {"sold": -delta, "sku": ref.sku, "on_hand": ref.on_hand},
                )
            )


def order_history_import(
    *, file, filename: str, stock: str, dry_run: bool = False, batch_size: int = 2000, progress=None
) -> OrderImportReport:
    """Import past orders from a CSV/XLSX binary file (see the module). Every row is checked
    first: with any error nothing is written and the report lists them (row, order, reason)."""
    fmt = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if fmt not in ("csv", "xlsx"):
        raise OrderImportError(
            _("Formato no admitido («%(name)s»): use .csv o .xlsx.") % {"name": filename}
        )
    report = OrderImportReport(stock=stock, dry_run=dry_run)
    _check_file(file, fmt, stock, batch_size, report)
    if not report.ok or dry_run:
        return report
    written = order_history_load(
        orders=_orders(file, fmt, None),
        stock=stock,
        batch_size=batch_size,
        progress=progress,
    )
    report.imported, report.skipped = written.imported, written.skipped
    return report
