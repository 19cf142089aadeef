"""What the manager downloads: the catalogue in its import columns, and the stock tables.

Each function gives the table (or the file's bytes); ``apps.core.spreadsheets`` writes it
(formula cells neutralised, decimal commas and a BOM in the Excel flavour).
"""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from apps.core import spreadsheets

from . import selectors
from .errors import CatalogueFileError
from .resources import RESOURCES

Table = tuple[list[str], Iterable[list]]


def catalogue_export(*, kind: str, fmt: str) -> bytes:
    """The whole catalogue (one kind) in one of ``spreadsheets.EXPORT_FORMATS``, in the
    import's own columns (an export imports back unchanged, "CSV (Excel)" included)."""
    if kind not in RESOURCES or fmt not in spreadsheets.EXPORT_FORMATS:
        raise CatalogueFileError(_("Exportación no admitida."))
    dataset = RESOURCES[kind]().export()
    return spreadsheets.export_bytes(headers=dataset.headers, rows=dataset, fmt=fmt, title=kind)


def valuation_table() -> Table:
    report = selectors.inventory_valuation()
    rows = [[row.category, row.variants, row.units, row.value] for row in report.rows]
    rows.append([_("Total"), sum(r.variants for r in report.rows), report.units, report.value])
    return [_("Categoría"), _("Variantes"), _("Unidades"), _("Valor a coste")], rows


def movement_table(*, filters: selectors.MovementFilters) -> Table:
    """The stock ledger as filtered on the movements page (every page of it), streamed."""
    movements = selectors.movement_search(filters=filters).iterator(chunk_size=2000)
    headers = [
        _("Fecha"),
        _("SKU"),
        _("Producto"),
        _("Tipo"),
        _("Cantidad"),
        _("Referencia"),
        _("Motivo"),
        _("Usuario"),
    ]
    rows = (
        [
            movement.created_at,
            movement.variant.sku,
            movement.variant.product.name,
            movement.get_kind_display(),
            movement.quantity,
            movement.reference,
            movement.reason,
            movement.user.email if movement.user_id else "",
        ]
        for movement in movements
    )
    return headers, rows


def low_stock_table() -> Table:
    headers = [
        _("SKU"),
        _("Producto"),
        _("Opciones"),
        _("Categoría"),
        _("Existencias"),
        _("Aviso"),
    ]
    rows = (
        [
            variant.sku,
            variant.product.name,
            variant.option_label,
            variant.product.category.name,
            variant.on_hand,
            variant.low_stock_threshold,
        ]
        for variant in selectors.low_stock_list()
    )
    return headers, rows
