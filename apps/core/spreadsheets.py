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
import re
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


# --- Reading what people's spreadsheets write ---------------------------------------------
#
# A Spanish Excel saves CSV in Windows-1252 with ";" between cells and writes numbers as
# "1.299,99" (thousands dot, decimal comma); programs write UTF-8 with "," and "1299.99".
# The file says which: its bytes (UTF-8 decodes, else Windows-1252), and its separator (";"
# means the Spanish way of writing numbers, "," the other). A number is read by that rule
# only where its text is ambiguous ("1.299" is 1299 in a Spanish file); "1.299,99" and
# "1,299.99" read the same in either.

UTF8 = "utf-8-sig"
WINDOWS_1252 = "cp1252"
ENCODING_LABELS = {UTF8: "UTF-8", WINDOWS_1252: "Windows-1252"}

SPANISH = "es"  # 1.299,99
ENGLISH = "en"  # 1,299.99
_SEPARATORS = {SPANISH: (".", ","), ENGLISH: (",", ".")}  # (thousands, decimal)


def decode(content: bytes) -> tuple[str, str]:
    """The text of a CSV and the encoding it was read in (UTF-8, else Windows-1252).

    UnicodeDecodeError when it is neither (bytes Windows-1252 leaves undefined)."""
    try:
        return content.decode(UTF8), UTF8
    except UnicodeDecodeError:
        return content.decode(WINDOWS_1252), WINDOWS_1252


def sniff_encoding(file, *, chunk_size: int = 1 << 20) -> str:
    """``decode``'s choice for a binary file, read in chunks (memory stays flat); rewinds it."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := file.read(chunk_size):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return UTF8
    except UnicodeDecodeError:
        return WINDOWS_1252
    finally:
        file.seek(0)


def number_style(delimiter: str) -> str:
    """How a CSV with this cell separator writes its numbers."""
    return SPANISH if delimiter == ";" else ENGLISH


class NotANumber(ValueError):
    pass


_PLAIN_NUMBER = re.compile(r"\d+(\.\d+)?|\.\d+")


def _grouped(text: str, thousands: str) -> bool:
    head, *groups = text.split(thousands)
    return (
        1 <= len(head) <= 3
        and head.isdigit()
        and all(len(group) == 3 and group.isdigit() for group in groups)
    )


def read_number(text: str, style: str) -> tuple[Decimal, bool]:
    """The number a cell's text means in a file of ``style``, and whether it needed reading
    (a thousands separator, or a decimal separator other than the style's). NotANumber."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace("€", "")
    sign = "-" if cleaned.startswith("-") else ""
    body = cleaned.lstrip("+-")
    thousands, decimal = _SEPARATORS[style]
    if "," in body and "." in body:  # both: the last one is the decimal separator
        decimal = "," if body.rfind(",") > body.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        whole, _sep, fraction = body.rpartition(decimal)
        if not _grouped(whole, thousands) or not fraction.isdigit():
            raise NotANumber(text)
        normal, interpreted = f"{whole.replace(thousands, '')}.{fraction}", True
    elif thousands in body and _grouped(body, thousands):  # "1.299" (es), "1,299" (en)
        normal, interpreted = body.replace(thousands, ""), True
    elif "," in body:  # a decimal comma
        normal, interpreted = body.replace(",", "."), decimal != ","
    else:
        normal, interpreted = body, "." in body and decimal != "."
    if not _PLAIN_NUMBER.fullmatch(normal):
        raise NotANumber(text)
    try:
        number = Decimal(sign + normal)
    except ArithmeticError:
        raise NotANumber(text) from None
    if not number.is_finite():
        raise NotANumber(text)
    return number, interpreted
