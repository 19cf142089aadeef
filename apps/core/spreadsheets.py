"""Every CSV and XLSX the shop writes goes through here: one place that makes a table safe
to open in a spreadsheet and correct in a Spanish Excel.

Formats (``EXPORT_FORMATS``):

- ``csv``: comma-separated, decimal point, UTF-8 (for programs and other tools);
- ``csv-excel``: what a Spanish Excel opens by double-click: ``;`` between cells, decimal
  commas, and a UTF-8 byte-order mark so accents survive;
- ``xlsx``: a workbook; numbers are numbers, text is text.

Formula injection (OWASP "CSV injection"): a text cell that begins with ``=``, ``+``, ``-``,
``@`` (or a tab or carriage return, which some programs skip before one of those) is written
with a leading apostrophe, in every format, and XLSX text cells are always typed as text,
so no formula cell is ever written. ``unescape_text`` undoes the apostrophe when such a
file comes back as an import. Numbers (int, Decimal) are written as numbers: a negative
quantity is a number, not a formula.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

EXPORT_FORMATS = {"csv": "CSV", "csv-excel": "CSV (Excel)", "xlsx": "XLSX"}
EXTENSIONS = {"csv": "csv", "csv-excel": "csv", "xlsx": "xlsx"}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "csv-excel": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def safe_text(value) -> str:
    """Text a spreadsheet shows as text: a leading formula character gets an apostrophe."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def unescape_text(text: str) -> str:
    """The text ``safe_text`` was given (an import reading back one of our exports)."""
    if text.startswith("'") and text[1:2] and text[1:2] in FORMULA_TRIGGERS:
        return text[1:]
    return text


def safe_value(value):
    """A cell value as exports hold it: numbers stay numbers, everything else is safe text."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value.tzinfo else value
    if isinstance(value, date):
        return value.isoformat()
    return safe_text(value)


def _csv_cell(value, *, decimal_comma: bool) -> str:
    value = safe_value(value)
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.replace(".", ",") if decimal_comma else text
    return str(value)


def _csv(headers: Sequence, rows: Iterable[Sequence], *, excel: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if excel else ",")
    writer.writerow([_csv_cell(h, decimal_comma=excel) for h in headers])
    for row in rows:
        writer.writerow([_csv_cell(value, decimal_comma=excel) for value in row])
    return buffer.getvalue().encode("utf-8-sig" if excel else "utf-8")


def _xlsx(headers: Sequence, rows: Iterable[Sequence], *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "Hoja1")

    def cell(value):
        value = safe_value(value)
        if isinstance(value, str):
            written = WriteOnlyCell(
                sheet, value=ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)
            )
            written.data_type = "s"  # never "f": text stays text
            return written
        return WriteOnlyCell(sheet, value=value)

    sheet.append([cell(h) for h in headers])
    for row in rows:
        sheet.append([cell(value) for value in row])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def export_bytes(
    *, headers: Sequence, rows: Iterable[Sequence], fmt: str, title: str = ""
) -> bytes:
    """A table (header row and data rows) in one of ``EXPORT_FORMATS``, made safe."""
    if fmt == "xlsx":
        return _xlsx(headers, rows, title=title)
    if fmt in ("csv", "csv-excel"):
        return _csv(headers, rows, excel=fmt == "csv-excel")
    raise ValueError(f"unknown export format {fmt!r}")


def export_response(
    *, headers: Sequence, rows: Iterable[Sequence], fmt: str, stem: str
) -> HttpResponse:
    """The table as a download named ``<stem>.<extension>``."""
    return download(export_bytes(headers=headers, rows=rows, fmt=fmt, title=stem), fmt, stem)


def download(data: bytes, fmt: str, stem: str) -> HttpResponse:
    """Bytes made by ``export_bytes`` as a download named ``<stem>.<extension>``."""
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{stem}.{EXTENSIONS[fmt]}"'
    return response
