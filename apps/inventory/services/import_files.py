"""Catalogue files: formats, rows and cells. Pure functions: nothing here reads the database.

A file is CSV (UTF-8, else Windows-1252; ``,`` or ``;`` between cells) or XLSX, with one
header row. Its rows are streamed (the csv module over a text stream, openpyxl in
read-only mode), so memory stays flat however long the file. Each cell is read by the
same functions in the check pass and in the import pass, so a file that passes the check
imports; a value that cannot be stored (a price past its column, ``NaN``, ``Infinity``, a
name longer than its column, a cell longer than a spreadsheet's cell) is a row error.
"""

import contextlib
import csv
import dataclasses
import io
import itertools
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

import openpyxl
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core import spreadsheets
from apps.core.money import money

from ..errors import CatalogueFileError
from .rules import PRICE_MAX, too_large_amount_message, too_long_message

FORMATS = ("csv", "xlsx")
# A spreadsheet's own limit for one cell (Excel: 32,767 characters). A longer cell is a row
# error; the csv module is allowed fields this long and more, so it is reported as such
# (the module's own limit, 128 KB, would break the whole file with a quoting error).
CELL_MAX_CHARS = 32_767
CSV_FIELD_MAX = 64 * 1024 * 1024
csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_MAX))

NOT_A_NUMBER = gettext_lazy("«%(value)s» no es un número.")
NOT_AN_INTEGER = gettext_lazy("«%(value)s» no es un número entero.")

_TRUE = {"1", "true", "sí", "si", "s", "yes", "y", "x", "verdadero"}
_FALSE = {"0", "false", "no", "n", "", "falso"}


@dataclasses.dataclass
class FileReading:
    """How a file was read: its encoding (CSV) and the way it writes numbers."""

    encoding: str = ""
    number_style: str = spreadsheets.SPANISH  # an XLSX's text cells: the shop's way

    def notes(self) -> list[str]:
        if not self.encoding:
            return []
        style = (
            _("números a la española (1.299,99)")
            if self.number_style == spreadsheets.SPANISH
            else _("números con punto decimal (1,299.99)")
        )
        return [
            _("CSV leído en %(encoding)s, %(style)s.")
            % {"encoding": spreadsheets.ENCODING_LABELS[self.encoding], "style": style}
        ]


# --- Cells ---------------------------------------------------------------------------------


def text(value) -> str:
    """A cell as text; an apostrophe our exports put before a formula character is dropped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return spreadsheets.unescape_text(str(value).strip())


def bounded_text(value, column: str, *, maximum: int, required: str | None = None) -> str:
    """A text cell of at most ``maximum`` characters (``required``: the message when empty)."""
    result = text(value)
    if required is not None and not result:
        raise ValidationError({column: required})
    if len(result) > maximum:
        raise ValidationError({column: too_long_message(len(result), maximum)})
    return result


def boolean(value, column: str) -> bool:
    if isinstance(value, bool):
        return value
    result = text(value).lower()
    if result in _TRUE:
        return True
    if result in _FALSE:
        return False
    raise ValidationError(
        {column: _("«%(value)s» no es un sí/no válido (use 1 o 0).") % {"value": result[:50]}}
    )


def _number(value, column: str, *, style: str, message: str) -> tuple[Decimal, str, bool]:
    """A cell's number (an XLSX number as it is; text the way the file writes numbers), its
    text, and whether reading it took interpretation (see ``spreadsheets.read_number``)."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = Decimal(str(value))
        if not number.is_finite():
            raise ValidationError({column: message % {"value": str(value)}})
        return number, text(value), False
    cell = text(value)
    try:
        number, interpreted = spreadsheets.read_number(cell, style)
    except spreadsheets.NotANumber:
        raise ValidationError({column: message % {"value": cell[:50]}}) from None
    return number, cell, interpreted


def _read_as(notes: list[str] | None, column: str, cell: str, shown: str) -> None:
    if notes is not None:
        notes.append(
            _("%(column)s: «%(text)s» se ha leído como %(value)s.")
            % {"column": column, "text": cell, "value": shown}
        )


def amount(
    value, column: str, *, allow_zero: bool, style: str = spreadsheets.ENGLISH, notes=None
) -> Decimal:
    """An amount in euros, rounded half-up to cents (``money``) and within the price column;
    ``notes`` get a line when the text needed reading (separators) or rounding."""
    if text(value) == "":
        raise ValidationError({column: _("Falta el importe.")})
    number, cell, interpreted = _number(value, column, style=style, message=NOT_A_NUMBER)
    if number < 0:
        raise ValidationError({column: _("El importe no puede ser negativo.")})
    if number == 0 and not allow_zero:
        raise ValidationError({column: _("El importe debe ser mayor que cero.")})
    if number > PRICE_MAX:
        raise ValidationError({column: too_large_amount_message()})
    rounded = money(number)
    if interpreted or rounded != number:
        _read_as(notes, column, cell, number_format(rounded, 2, use_l10n=True, force_grouping=True))
    return rounded


def integer(
    value,
    column: str,
    *,
    minimum: int = 0,
    maximum: int,
    style: str = spreadsheets.ENGLISH,
    notes=None,
) -> int:
    message = NOT_AN_INTEGER
    number, cell, interpreted = _number(value, column, style=style, message=message)
    if number != number.to_integral_value():
        raise ValidationError({column: message % {"value": cell[:50]}})
    if number < minimum:
        raise ValidationError(
            {column: _("El valor no puede ser menor que %(min)s.") % {"min": minimum}}
        )
    if number > maximum:
        raise ValidationError(
            {column: _("El valor no puede ser mayor que %(max)s.") % {"max": maximum}}
        )
    if interpreted:
        _read_as(
            notes, column, cell, number_format(int(number), 0, use_l10n=True, force_grouping=True)
        )
    return int(number)


def parse_options(value) -> dict[str, str]:
    """'Color: Negro; Capacidad: 256 GB' -> {'Color': 'Negro', 'Capacidad': '256 GB'}."""
    options: dict[str, str] = {}
    for part in text(value).split(";"):
        if not part.strip():
            continue
        option, sep, choice = part.partition(":")
        if not sep or not option.strip() or not choice.strip():
            raise ValidationError(
                {"options": _("Escriba las opciones como «Nombre: valor; Nombre: valor».")}
            )
        options[option.strip()] = choice.strip()
    return options


def format_options(options: dict) -> str:
    return "; ".join(f"{name}: {value}" for name, value in (options or {}).items())


def oversized_cells(headers: list[str], cells) -> ValidationError | None:
    """The cells longer than a spreadsheet cell may be, as one row error (None if none)."""
    errors = {
        column: [too_long_message(len(str(cell)), CELL_MAX_CHARS)]
        for column, cell in zip(headers, cells, strict=False)
        if isinstance(cell, str) and len(cell) > CELL_MAX_CHARS
    }
    return ValidationError(errors) if errors else None


def validation_messages(error: ValidationError) -> list[str]:
    """A row's ValidationError as report lines: «column: message» (no prefix for the row)."""
    messages = []
    for column, column_messages in error.message_dict.items():
        prefix = "" if column == "__all__" else f"{column}: "
        messages.extend(f"{prefix}{message}" for message in column_messages)
    return messages


def check_headers(headers, *, required: tuple[str, ...], optional: tuple[str, ...]) -> list[str]:
    """The header row, normalised; CatalogueFileError naming missing/unknown/repeated columns."""
    if not headers:
        raise CatalogueFileError(_("El archivo está vacío o no tiene fila de cabecera."))
    headers = [text(header)[:100].lower() for header in headers]
    missing = [column for column in required if column not in headers]
    allowed = set(required) | set(optional)
    unknown = [column for column in headers if column not in allowed]
    repeated = [column for column, n in Counter(headers).items() if n > 1]
    problems = []
    if missing:
        problems.append(_("Faltan columnas: %(columns)s.") % {"columns": ", ".join(missing)})
    if unknown:
        problems.append(
            _("Columnas desconocidas: %(columns)s (se admiten: %(allowed)s).")
            % {
                "columns": ", ".join(column or "«»" for column in unknown),
                "allowed": ", ".join((*required, *optional)),
            }
        )
    if repeated:
        problems.append(_("Columnas repetidas: %(columns)s.") % {"columns": ", ".join(repeated)})
    if problems:
        raise CatalogueFileError(" ".join(problems))
    return headers


# --- Files ---------------------------------------------------------------------------------


def file_format(filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in FORMATS:
        raise CatalogueFileError(
            _("Formato no admitido («%(name)s»): suba un archivo .csv o .xlsx.")
            % {"name": filename}
        )
    return extension


def _not_text_error(position) -> CatalogueFileError:
    return CatalogueFileError(
        _(
            "El CSV no está en UTF-8 ni en Windows-1252 (byte no válido hacia %(position)s). "
            "Guárdelo como «CSV UTF-8» y vuelva a subirlo."
        )
        % {"position": position}
    )


def _csv_rows(file, reading: FileReading) -> Iterator[tuple[int, list]]:
    head = file.read(4096)
    file.seek(0)
    if not head:
        raise CatalogueFileError(_("El archivo está vacío."))
    if head.startswith(b"PK\x03\x04") or b"\x00" in head:
        raise CatalogueFileError(_("El archivo no es un CSV de texto."))
    reading.encoding = spreadsheets.sniff_encoding(file)
    stream = io.TextIOWrapper(file, encoding=reading.encoding, newline="")
    number = 0
    try:
        first_line = stream.readline()
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        reading.number_style = spreadsheets.number_style(delimiter)
        reader = csv.reader(itertools.chain([first_line], stream), delimiter=delimiter)
        for number, cells in enumerate(reader, 1):
            yield number, cells
    except UnicodeDecodeError:
        raise _not_text_error(_("la fila %(row)s") % {"row": number + 1}) from None
    except csv.Error:
        raise CatalogueFileError(
            _(
                "El CSV no se puede leer: revise las comillas y que cada fila tenga las mismas columnas."
            )
        ) from None
    finally:
        with contextlib.suppress(ValueError):  # closed already
            stream.detach()  # the caller owns (and closes) the file


def _xlsx_rows(file) -> Iterator[tuple[int, list]]:
    head = file.read(4)
    file.seek(0)
    if not head:
        raise CatalogueFileError(_("El archivo está vacío."))
    if head != b"PK\x03\x04":
        raise CatalogueFileError(_("El archivo no es un libro XLSX válido."))
    damaged = CatalogueFileError(_("No se pudo leer el libro XLSX: está dañado."))
    try:
        book = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error for a damaged file
        raise damaged from None
    try:
        rows = book.active.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                return
            except Exception:
                raise damaged from None
            number += 1
            yield number, list(cells)
    finally:
        book.close()


def is_blank(cells) -> bool:
    return all(text(value) == "" for value in cells)


def iter_file_rows(
    *, file, fmt: str, reading: FileReading | None = None
) -> Iterator[tuple[int, list]]:
    """Each non-blank row of a binary file as (its number in the file, its cells), streamed.

    ``reading`` (if given) is told the encoding and the way the file writes numbers."""
    reading = reading if reading is not None else FileReading()
    rows = _xlsx_rows(file) if fmt == "xlsx" else _csv_rows(file, reading)
    try:
        for number, cells in rows:
            if not is_blank(cells):
                yield number, cells
    finally:
        rows.close()


def count_data_rows(*, file, fmt: str) -> int:
    """The rows below the header (XLSX: from the sheet's recorded size when it has one)."""
    if fmt == "xlsx":
        try:
            book = openpyxl.load_workbook(file, read_only=True, data_only=True)
            try:
                max_row = book.active.max_row
            finally:
                book.close()
        except Exception:
            max_row = None
        finally:
            file.seek(0)
        if max_row:
            return max(0, max_row - 1)
    try:
        return max(0, sum(1 for _row in iter_file_rows(file=file, fmt=fmt)) - 1)
    except CatalogueFileError:
        return 0  # the import itself reports why
    finally:
        file.seek(0)
