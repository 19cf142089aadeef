"""Products, coupons, inventory and customers: the dashboards beside Sales, read from the
warehouse's aggregates (sales by product and coupon, the stock by product, customers)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from etl import selectors as warehouse

from .periods import Period
from .report import Chart, Column, Report, Table, card, ratio
from .sales import TOP, breakdown_table, totals

ZERO = Decimal("0.00")
COVER_DAYS = 30  # the sales rate behind the days of cover
AT_RISK_DAYS = 14
DEAD_DAYS = 90
NOT_FILTERED = _("Este informe no se puede filtrar por %(filter)s; se muestra sin ese filtro.")
FILTER_NAMES = {
    "category": _("categoría"),
    "brand": _("marca"),
    "payment_method": _("forma de pago"),
}


def _unfiltered_note(period: Period, allowed: tuple[str, ...]) -> list[str]:
    active = period.filters.active
    if active and active[0] not in allowed:
        return [NOT_FILTERED % {"filter": FILTER_NAMES[active[0]]}]
    return []


def abc_grades(items) -> dict[int, str]:
    """A: the best sellers that make the first 80 % of net sales; B: the next 15 %;
    C: the rest (and every product that sold nothing)."""
    positive = sum((i.net for i in items if i.net > 0), ZERO)
    grades, running = {}, ZERO
    for item in sorted(items, key=lambda i: (-i.net, i.product_id)):
        share = running * 100 / positive if positive else Decimal(100)
        grade = "A" if share < 80 else "B" if share < 95 else "C"
        grades[item.product_id] = grade if item.net > 0 else "C"
        running += max(item.net, ZERO)
    return grades


def products_report(*, period: Period) -> Report:
    notes = _unfiltered_note(period, ("category", "brand"))
    items = warehouse.product_sales(
        since=period.since,
        until=period.until,
        category_id=period.filters.category,
        brand_id=period.filters.brand,
        include_unsold=True,
    )
    grades = abc_grades(items)
    names = [f"{i.name} ({grades[i.product_id]})" for i in items]
    top = breakdown_table("top", _("Más vendidos"), _("Producto (ABC)"), items, names)
    low = list(reversed(items))[:TOP]
    bottom = breakdown_table(
        "bottom", _("Menos vendidos"), _("Producto (ABC)"), low,
        [f"{i.name} ({grades[i.product_id]})" for i in low], top=TOP,
        note=_("Los productos activos que no se vendieron cuentan con cero."),
    )  # fmt: skip
    bottom.total = None  # a selection, not the whole: no total row
    net = sum((i.net for i in items), ZERO)
    summary = []
    for grade in "ABC":
        group = [i for i in items if grades[i.product_id] == grade]
        value = sum((i.net for i in group), ZERO)
        units = sum(i.units for i in group)
        summary.append([grade, len(group), units, value, ratio(value, net)])
    abc = Table(
        "abc",
        _("Clasificación ABC"),
        [
            Column("grade", _("Clase")),
            Column("products", _("Productos"), "int"),
            Column("units", _("Unidades"), "int"),
            Column("net", _("Netas"), "money"),
            Column("share", _("% de las netas"), "pct"),
        ],
        summary,
        total=[_("Total"), len(items), sum(i.units for i in items), net, ratio(net, net)],
        chart=Chart("bar", 0, (3,)),
        note=_("A: los que suman el primer 80 % de las ventas netas; B: el 15 % siguiente; C: el resto."),
    )  # fmt: skip
    cards = [
        card("net", _("Ventas netas"), "money", net),
        card("units", _("Unidades"), "int", sum(i.units for i in items)),
        card("sold", _("Productos vendidos"), "int", sum(1 for i in items if i.units > 0)),
        card("grade_a", _("Productos de clase A"), "int", summary[0][1]),
    ]
    return Report("products", _("Productos"), period, cards, [top, bottom, abc], notes)


def coupons_report(*, period: Period) -> Report:
    notes = _unfiltered_note(period, ())
    items = warehouse.sales_by_dimension(dimension="coupon", since=period.since, until=period.until)
    all_net = totals(warehouse.daily_kpis(since=period.since, until=period.until))["net"]
    table = breakdown_table(
        "coupons", _("Por cupón"), _("Cupón"), items, [i.member for i in items], top=50
    )
    table.columns[1] = Column("orders", _("Canjes (pedidos)"), "int")
    table.chart = Chart("bar", 0, (4, 6))
    net = sum((i.net for i in items), ZERO)
    cards = [
        card("redemptions", _("Canjes"), "int", sum(i.orders for i in items)),
        card("discounts", _("Descuento concedido"), "money", sum((i.discounts for i in items), ZERO)),
        card("net", _("Ventas netas con cupón"), "money", net),
        card("share", _("% de las ventas netas"), "pct", ratio(net, all_net)),
    ]  # fmt: skip
    return Report("coupons", _("Cupones"), period, cards, [table], notes)
