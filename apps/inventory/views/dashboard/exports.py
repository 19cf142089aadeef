"""The manager's catalogue and stock downloads: CSV, CSV for a Spanish Excel, and XLSX.

The tables are ``exports``'; ``apps.core.spreadsheets`` writes them.
"""

from django.http import Http404
from django.utils import timezone

from apps.core import spreadsheets
from apps.core.permissions import manager_required

from ... import exports, forms, selectors, services


def _format(fmt: str) -> str:
    if fmt not in spreadsheets.EXPORT_FORMATS:
        raise Http404
    return fmt


def _stem(name: str) -> str:
    return f"{name}-{timezone.localdate():%Y%m%d}"


def _response(table: exports.Table, fmt: str, stem: str):
    headers, rows = table
    return spreadsheets.export_response(headers=headers, rows=rows, fmt=fmt, stem=_stem(stem))


@manager_required
def catalogue_export(request, kind: str, fmt: str):
    if kind not in services.KINDS:
        raise Http404
    data = exports.catalogue_export(kind=kind, fmt=_format(fmt))
    return spreadsheets.download(data, fmt, _stem(f"catalogo-{kind}"))


@manager_required
def valuation_export(request, fmt: str):
    return _response(exports.valuation_table(), _format(fmt), "valoracion-inventario")


@manager_required
def movement_export(request, fmt: str):
    """The stock ledger as filtered on the movements page (every page of it)."""
    fmt = _format(fmt)
    filter_form = forms.MovementFilterForm(request.GET or None)
    filters = filter_form.to_filters() if request.GET else selectors.MovementFilters()
    return _response(exports.movement_table(filters=filters), fmt, "movimientos-stock")


@manager_required
def low_stock_export(request, fmt: str):
    return _response(exports.low_stock_table(), _format(fmt), "pocas-existencias")
