"""Inventory: the value of the stock at cost by category, days of cover at the current
sales rate, dead stock. Read from the warehouse's daily stock by product and sales by
product (never the stock movements themselves)."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from etl import selectors as warehouse

from .catalogue import AT_RISK_DAYS, COVER_DAYS, DEAD_DAYS, ZERO, _unfiltered_note
from .periods import Period
from .report import Chart, Column, Report, Table, card

ONE = Decimal("0.1")


def _by_category(stock, labels) -> Table:
    grouped: dict[int, list] = {}
    for item in stock:
        grouped.setdefault(item.category_id, []).append(item)
    rows = []
    for category_id, items in grouped.items():
        rows.append(
            [
                labels.get(str(category_id), _("Sin categoría")),
                len(items),
                sum(i.on_hand for i in items),
                sum((i.value for i in items), ZERO),
                sum(i.variants_out for i in items),
            ]
        )
    rows.sort(key=lambda row: (-row[3], str(row[0])))
    total = [_("Total"), len(stock), sum(i.on_hand for i in stock)]
    total += [sum((i.value for i in stock), ZERO), sum(i.variants_out for i in stock)]
    columns = [
        Column("category", _("Categoría")),
        Column("products", _("Productos"), "int"),
        Column("on_hand", _("Unidades en stock"), "int"),
        Column("value", _("Valor a coste"), "money"),
        Column("out", _("Variantes agotadas"), "int"),
    ]
    return Table(
        "by_category",
        _("Valor del stock por categoría"),
        columns,
        rows,
        total,
        Chart("bar", 0, (3,)),
    )


def _cover(stock, sold) -> Table:
    rows = []
    for item in stock:
        units = sold.get(item.product_id, 0)
        if units <= 0:
            continue
        days = (Decimal(max(item.on_hand, 0)) * COVER_DAYS / units).quantize(ONE, ROUND_HALF_UP)
        rows.append([item.name, item.on_hand, units, days])
    rows.sort(key=lambda row: (row[3], str(row[0])))
    columns = [
        Column("product", _("Producto")),
        Column("on_hand", _("En stock"), "int"),
        Column("sold", _("Vendidas en %(days)s días") % {"days": COVER_DAYS}, "int"),
        Column("cover", _("Días de cobertura"), "days"),
    ]
    note = _(
        "Días que dura el stock al ritmo de venta de los últimos %(days)s días; por debajo "
        "de %(risk)s, riesgo de rotura."
    ) % {"days": COVER_DAYS, "risk": AT_RISK_DAYS}
    return Table("cover", _("Cobertura (los más justos)"), columns, rows[:20], note=note)


def _dead(stock, sold_recently) -> Table:
    dead = [i for i in stock if i.on_hand > 0 and i.product_id not in sold_recently]
    dead.sort(key=lambda i: (-i.value, i.product_id))
    rows = [[i.name, i.on_hand, i.value] for i in dead[:20]]
    if len(dead) > 20:
        rest = dead[20:]
        label = _("Resto (%(count)s)") % {"count": len(rest)}
        rows.append([label, sum(i.on_hand for i in rest), sum((i.value for i in rest), ZERO)])
    columns = [
        Column("product", _("Producto")),
        Column("on_hand", _("En stock"), "int"),
        Column("value", _("Valor a coste"), "money"),
    ]
    total = [_("Total"), sum(i.on_hand for i in dead), sum((i.value for i in dead), ZERO)]
    note = _("Productos con stock y sin ninguna venta en los últimos %(days)s días.") % {
        "days": DEAD_DAYS
    }
    return Table("dead", _("Stock muerto"), columns, rows, total, note=note)


def inventory_report(*, period: Period) -> Report:
    notes = _unfiltered_note(period, ("category",))
    day, stock = warehouse.stock_by_product(day=period.until)
    if period.filters.category is not None:
        stock = [i for i in stock if i.category_id == period.filters.category]
    labels = {m.key: m.label for m in warehouse.filter_members()["category"]}
    until = period.until
    recent = warehouse.product_sales(since=until - timedelta(days=COVER_DAYS - 1), until=until)
    long = warehouse.product_sales(since=until - timedelta(days=DEAD_DAYS - 1), until=until)
    sold = {i.product_id: i.units for i in recent}
    dead = _dead(stock, {i.product_id for i in long if i.units > 0})
    cover = _cover(stock, sold)
    cards = [
        card("value", _("Valor del stock a coste"), "money", sum((i.value for i in stock), ZERO)),
        card("on_hand", _("Unidades en stock"), "int", sum(i.on_hand for i in stock)),
        card("out", _("Variantes agotadas"), "int", sum(i.variants_out for i in stock)),
        card("at_risk", _("Productos en riesgo de rotura"), "int",
             sum(1 for row in cover.rows if row[3] < AT_RISK_DAYS)),
        card("dead", _("Valor del stock muerto"), "money", dead.total[2]),
    ]  # fmt: skip
    if day is None:
        notes.append(_("Todavía no hay ninguna foto del stock en el almacén."))
    elif day != until:
        notes.append(
            _("Stock a %(day)s, la última foto hasta el final del periodo.")
            % {"day": date_format(day, "SHORT_DATE_FORMAT")}
        )
    report = Report(
        "inventory",
        _("Inventario"),
        period,
        cards,
        [_by_category(stock, labels), cover, dead],
        notes,
    )
    report.extra["stock_day"] = day
    return report
