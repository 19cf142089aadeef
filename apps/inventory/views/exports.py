"""The manager's catalogue and stock downloads: CSV, CSV for a Spanish Excel, and XLSX.

Every table is written by ``apps.core.spreadsheets`` (formula cells neutralised, decimal
commas and a BOM in the Excel flavour).
"""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core import spreadsheets
from apps.core.permissions import manager_required

from .. import forms, resources, selectors


def _format(fmt: str) -> str:
    if fmt not in spreadsheets.EXPORT_FORMATS:
        raise Http404
    return fmt


def _stem(name: str) -> str:
    return f"{name}-{timezone.localdate():%Y%m%d}"


@manager_required
def catalogue_export(request, kind: str, fmt: str):
    if kind not in resources.KINDS:
        raise Http404
    data = resources.catalogue_export(kind=kind, fmt=_format(fmt))
    return spreadsheets.download(data, fmt, _stem(f"catalogo-{kind}"))


@manager_required
def valuation_export(request, fmt: str):
    fmt = _format(fmt)
    report = selectors.inventory_valuation()
    rows = [[row.category, row.variants, row.units, row.value] for row in report.rows]
    rows.append([_("Total"), sum(r.variants for r in report.rows), report.units, report.value])
    return spreadsheets.export_response(
        headers=[_("Categoría"), _("Variantes"), _("Unidades"), _("Valor a coste")],
        rows=rows,
        fmt=fmt,
        stem=_stem("valoracion-inventario"),
    )


@manager_required
def movement_export(request, fmt: str):
    """The stock ledger as filtered on the movements page (every page of it)."""
    fmt = _format(fmt)
    filter_form = forms.MovementFilterForm(request.GET or None)
    filters = filter_form.to_filters() if request.GET else selectors.MovementFilters()
    movements = selectors.movement_search(filters=filters).iterator(chunk_size=2000)
    return spreadsheets.export_response(
        headers=[
            _("Fecha"),
            _("SKU"),
            _("Producto"),
            _("Tipo"),
            _("Cantidad"),
            _("Referencia"),
            _("Motivo"),
            _("Usuario"),
        ],
        rows=(
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
        ),
        fmt=fmt,
        stem=_stem("movimientos-stock"),
    )


@manager_required
def low_stock_export(request, fmt: str):
    fmt = _format(fmt)
    return spreadsheets.export_response(
        headers=[
            _("SKU"),
            _("Producto"),
            _("Opciones"),
            _("Categoría"),
            _("Existencias"),
            _("Aviso"),
        ],
        rows=(
            [
                variant.sku,
                variant.product.name,
                variant.option_label,
                variant.product.category.name,
                variant.on_hand,
                variant.low_stock_threshold,
            ]
            for variant in selectors.low_stock_list()
        ),
        fmt=fmt,
        stem=_stem("pocas-existencias"),
    )
