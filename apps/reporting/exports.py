"""A Report as the charts' JSON and as a CSV/XLSX download: the same rows as the screen."""

from datetime import date
from decimal import Decimal

from apps.core.spreadsheets import export_response

from .selectors import Report, Table


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, int):
        return value
    return str(value)


def chart_data(table: Table) -> dict | None:
    """What ``reports.js`` draws for a table: labels and one dataset per drawn column."""
    chart = table.chart
    if chart is None or not table.rows:
        return None
    datasets = [
        {
            "label": str(table.columns[i].label),
            "data": [_json_value(row[i]) for row in table.rows],
        }
        for i in chart.value_columns
    ]
    if chart.compare:
        label, values = chart.compare
        datasets.append(
            {"label": str(label), "data": [_json_value(v) for v in values], "compare": True}
        )
    return {
        "kind": chart.kind,
        "labels": [_json_value(row[chart.label_column]) for row in table.rows],
        "datasets": datasets,
        "horizontal": chart.kind == "bar" and len(table.rows) > 8,
    }


def charts(report: Report) -> dict:
    """Chart data by table key, and the cards' sparklines by ``<group>-<card>``."""
    found = {t.key: data for t in report.tables if (data := chart_data(t))}
    for index, (_label, cards) in enumerate(report.groups):
        for card in cards:
            if card.spark:
                found[f"spark-{index}-{card.key}"] = {
                    "kind": "spark",
                    "labels": list(range(len(card.spark))),
                    "datasets": [
                        {"label": str(card.label), "data": [_json_value(v) for v in card.spark]}
                    ],
                }
    return found


def table_rows(table: Table) -> list[list]:
    """The table's rows then its total row, as the export writes them."""
    rows = [[_cell(v) for v in row] for row in table.rows]
    if table.total:
        rows.append([_cell(v) for v in table.total])
    return rows


def _cell(value):
    if isinstance(value, Decimal | int | date) or value is None:
        return "" if value is None else value
    return str(value)


def table_response(report: Report, table: Table, fmt: str):
    period = report.period
    stem = f"{report.key}-{table.key}-{period.since:%Y%m%d}-{period.until:%Y%m%d}"
    headers = [str(column.label) for column in table.columns]
    return export_response(headers=headers, rows=table_rows(table), fmt=fmt, stem=stem)
