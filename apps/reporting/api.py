"""Reports API for managers: each dashboard's data as JSON, with the same filters as the page
(the same ``Report``: the numbers of the screen, the export and this answer are one)."""

from datetime import date
from decimal import Decimal

from ninja import Field, Query, Router, Schema

from . import selectors

manager_router = Router(tags=["reports"])  # managers: mounted with manager auth


class ReportQuery(Schema):
    periodo: str = Field(
        "",
        max_length=12,
        description="today, yesterday, 7d, 30d, this_month, last_month, this_year, custom",
    )
    desde: date | None = Field(None, description="first shop-local day (custom)")
    hasta: date | None = Field(None, description="last shop-local day (custom)")
    comparar: str = Field("", max_length=10, description="previous, year or none")
    agrupar: str = Field("", max_length=6, description="day, week or month")
    categoria: int | None = Field(None, ge=1, le=2**63 - 1)
    marca: int | None = Field(None, ge=1, le=2**63 - 1)
    pago: str = Field("", max_length=10, description="payment method code")


Value = Decimal | int | str | date | None


class ColumnOut(Schema):
    key: str
    label: str
    kind: str


class TableOut(Schema):
    key: str
    title: str
    columns: list[ColumnOut]
    rows: list[list[Value]]
    total: list[Value] | None
    note: str


class CardOut(Schema):
    key: str
    label: str
    kind: str
    value: Decimal | int | None
    compare: Decimal | int | None
    change: Decimal | None
    year: Decimal | int | None
    year_change: Decimal | None
    note: str


class PeriodOut(Schema):
    preset: str
    since: date
    until: date
    compare: str
    compare_since: date | None
    compare_until: date | None
    grain: str


class ReportOut(Schema):
    page: str
    title: str
    period: PeriodOut
    cards: list[CardOut]
    groups: dict[str, list[CardOut]]
    tables: list[TableOut]
    notes: list[str]


def _text(value):
    return value if isinstance(value, Decimal | int | date) or value is None else str(value)


def _card(card) -> dict:
    fields = ("key", "kind", "value", "compare", "change", "year", "year_change")
    return {name: getattr(card, name) for name in fields} | {
        "label": str(card.label),
        "note": str(card.note),
    }


def _out(report) -> dict:
    period = report.period
    return {
        "page": report.key,
        "title": str(report.title),
        "period": {name: getattr(period, name) for name in PeriodOut.model_fields},
        "cards": [_card(c) for c in report.cards],
        "groups": {str(label): [_card(c) for c in cards] for label, cards in report.groups},
        "tables": [
            {
                "key": t.key,
                "title": str(t.title),
                "columns": [
                    {"key": c.key, "label": str(c.label), "kind": c.kind} for c in t.columns
                ],
                "rows": [[_text(v) for v in row] for row in t.rows],
                "total": [_text(v) for v in t.total] if t.total else None,
                "note": str(t.note),
            }
            for t in report.tables
        ],
        "notes": [str(n) for n in report.notes],
    }


def _report(page: str, query: ReportQuery) -> dict:
    params = {k: "" if v is None else str(v) for k, v in query.dict().items()}
    period = selectors.period_parse(params)  # ReportInputError: 422 in the error shape
    return _out(selectors.report_build(page=page, period=period))


@manager_router.get("/home", response=ReportOut)
def report_home(request):
    """Today, 7 and 30 days against the period before and the same days last year."""
    return _out(selectors.home_report())


@manager_router.get("/sales", response=ReportOut)
def report_sales(request, query: Query[ReportQuery]):
    """Gross to net, over time, by category, brand, product, payment method and province."""
    return _report("sales", query)


@manager_router.get("/products", response=ReportOut)
def report_products(request, query: Query[ReportQuery]):
    """Top and bottom sellers with their ABC grade."""
    return _report("products", query)


@manager_router.get("/coupons", response=ReportOut)
def report_coupons(request, query: Query[ReportQuery]):
    """Redemptions, discount given and net sales of the orders with each coupon."""
    return _report("coupons", query)


@manager_router.get("/inventory", response=ReportOut)
def report_inventory(request, query: Query[ReportQuery]):
    """Stock value at cost by category, days of cover, dead stock."""
    return _report("inventory", query)


@manager_router.get("/customers", response=ReportOut)
def report_customers(request, query: Query[ReportQuery]):
    """New and returning customers, the repeat rate, the best customers (pseudonymous)."""
    return _report("customers", query)
