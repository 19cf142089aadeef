"""Home and Sales: KPI cards against other periods, money from gross to net, where it
came from. Every number is read from the warehouse's daily aggregates."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from etl import selectors as warehouse

from .periods import Period, comparison_range, period_parse, shop_today, year_before
from .report import (
    Card,
    Chart,
    Column,
    Report,
    Table,
    average,
    bucket,
    buckets,
    card,
    change,
    daily_values,
    ratio,
    sum_field,
)

FIELDS = ("gross", "discounts", "shipping", "refunds", "net", "orders", "units")
HOME_METRICS = (
    ("net", _("Ventas netas"), "money"),
    ("orders", _("Pedidos"), "int"),
    ("average_ticket", _("Ticket medio"), "money"),
    ("units", _("Unidades"), "int"),
    ("refunds", _("Reembolsos"), "money"),
)
NO_TRAFFIC = _("Sin datos: las visitas de la tienda aún no se cargan en el almacén.")
TOP = 20


def totals(rows, since=None, until=None, *, kpis: bool | None = None) -> dict:
    """Sums of daily rows (all of them, or those in ``[since, until]``); ``kpis``: the rows
    are the daily KPIs (with orders placed and cancelled), not a filtered dimension."""
    found = {field: sum_field(rows, field, since, until) for field in FIELDS}
    found["taken"] = found["gross"] - found["discounts"] + found["shipping"]
    found["average_ticket"] = average(found["taken"], found["orders"])
    if kpis if kpis is not None else rows and hasattr(rows[0], "orders_placed"):
        for field in ("orders_placed", "orders_cancelled", "new_customers"):
            found[field] = sum_field(rows, field, since, until)
    return found


def _home_group(rows, today, days) -> list[Card]:
    since = today - timedelta(days=days - 1)
    now = totals(rows, since, today)
    before = totals(rows, *comparison_range("previous", since, today))
    last_year = totals(rows, year_before(since), year_before(today))
    cards = []
    for metric, label, kind in HOME_METRICS:
        spark = tuple(daily_values(rows, since, today, metric)) if days > 1 else ()
        year = last_year[metric]
        cards.append(
            card(
                metric,
                label,
                kind,
                now[metric],
                before[metric],
                year=year,
                year_change=change(now[metric], year),
                spark=spark,
            )
        )
    cards.append(Card("conversion", _("Tasa de conversión"), "pct", None, note=NO_TRAFFIC))
    return cards


def home_report(*, today=None) -> Report:
    """Today, 7 and 30 days, each against the period before and the same days last year."""
    today = today or shop_today()
    rows = warehouse.daily_kpis(since=year_before(today - timedelta(days=29)), until=today)
    period = period_parse({"periodo": "30d"}, today=today)
    groups = [
        (_("Hoy"), _home_group(rows, today, 1)),
        (_("Últimos 7 días"), _home_group(rows, today, 7)),
        (_("Últimos 30 días"), _home_group(rows, today, 30)),
    ]
    columns = [Column("period", _("Periodo")), Column("compared", _("Frente a"))]
    columns += [Column(m, label, kind) for m, label, kind in HOME_METRICS]
    table_rows = []
    for label, cards in groups:
        cards = cards[: len(HOME_METRICS)]
        table_rows.append([label, _("Este periodo"), *(c.value for c in cards)])
        table_rows.append([label, _("Periodo anterior"), *(c.compare for c in cards)])
        table_rows.append([label, _("Año pasado"), *(c.year for c in cards)])
    table = Table("kpis", _("Indicadores"), columns, table_rows, note=NO_TRAFFIC)
    report = Report("home", _("Resumen"), period, [], [table], groups=groups)
    report.extra["sources"] = warehouse.source_status()
    return report


def _rows(period: Period, since, until):
    if since is None:
        return []
    active = period.filters.active
    if active is None:
        return warehouse.daily_kpis(since=since, until=until)
    dimension, member = active
    return warehouse.dimension_daily(dimension=dimension, member=member, since=since, until=until)


def _sales_cards(now: dict, before: dict | None) -> list[Card]:
    before = before or {}
    cards = [
        card(key, label, kind, now[key], before.get(key))
        for key, label, kind in (
            ("net", _("Ventas netas"), "money"),
            ("gross", _("Ventas brutas"), "money"),
            ("discounts", _("Descuentos"), "money"),
            ("refunds", _("Reembolsos"), "money"),
            ("shipping", _("Envíos"), "money"),
            ("orders", _("Pedidos cobrados"), "int"),
            ("units", _("Unidades"), "int"),
            ("average_ticket", _("Ticket medio"), "money"),
        )
    ]
    refund_rate = ratio(now["refunds"], now["taken"])
    before_rate = ratio(before["refunds"], before["taken"]) if before else None
    cards.append(card("refund_rate", _("Tasa de reembolso"), "pct", refund_rate, before_rate))
    if "orders_placed" in now:
        rate = ratio(now["orders_cancelled"], now["orders_placed"])
        old = ratio(before["orders_cancelled"], before["orders_placed"]) if before else None
        cards.append(card("cancel_rate", _("Tasa de cancelación"), "pct", rate, old))
    return cards


def _waterfall(now: dict, before: dict | None) -> Table:
    before = before or {}
    steps = (
        (_("Ventas brutas"), "gross", 1, _("Artículos a su precio (IVA incluido), el día en que se cobró el pedido.")),
        (_("− Descuentos"), "discounts", -1, _("Descuentos de cupones de esos pedidos.")),
        (_("− Reembolsos"), "refunds", -1, _("Dinero devuelto, el día en que se devolvió, aunque el pedido sea de otro día.")),
        (_("= Ventas netas de productos"), "products", 1, _("Brutas menos descuentos y reembolsos.")),
        (_("+ Envíos"), "shipping", 1, _("Gastos de envío cobrados.")),
        (_("= Ventas netas"), "net", 1, _("Lo que quedó en caja: coincide con el libro de ventas y con el resumen.")),
    )  # fmt: skip

    def amount(values: dict, key: str):
        if not values:
            return None
        if key == "products":
            return values["gross"] - values["discounts"] - values["refunds"]
        return values[key]

    rows = []
    for label, key, sign, definition in steps:
        value, old = amount(now, key), amount(before, key)
        signed_old = old * sign if old is not None else None
        rows.append([label, value * sign, signed_old, change(value, old), definition])
    columns = [
        Column("concept", _("Concepto")),
        Column("amount", _("Importe"), "money"),
        Column("compare", _("Comparación"), "money"),
        Column("change", _("Variación"), "pct"),
        Column("definition", _("Definición")),
    ]
    return Table(
        "waterfall", _("De ventas brutas a netas"), columns, rows, chart=Chart("bar", 0, (1,))
    )


TIME_COLUMNS = [
    Column("gross", _("Brutas"), "money"),
    Column("discounts", _("Descuentos"), "money"),
    Column("refunds", _("Reembolsos"), "money"),
    Column("shipping", _("Envíos"), "money"),
    Column("net", _("Netas"), "money"),
    Column("orders", _("Pedidos"), "int"),
    Column("units", _("Unidades"), "int"),
]


def _by_bucket(rows, since, until, grain) -> list[tuple]:
    starts = buckets(since, until, grain)
    grouped = {start: [] for start in starts}
    for row in rows:
        grouped[bucket(row.day, grain)].append(row)
    return [(start, totals(grouped[start])) for start in starts]


def _over_time(period: Period, rows, before_rows) -> Table:
    grain = period.grain
    series = _by_bucket(rows, period.since, period.until, grain)
    rows_out = [[start, *(values[c.key] for c in TIME_COLUMNS)] for start, values in series]
    compare = None
    if period.compare_since:
        old = _by_bucket(before_rows, period.compare_since, period.compare_until, grain)
        compare = (_("Comparación"), [values["net"] for _start, values in old])
    label = {"day": _("Día"), "week": _("Semana (lunes)"), "month": _("Mes")}[grain]
    total = totals(rows)
    return Table(
        "over_time",
        _("Evolución"),
        [Column("bucket", label, "date"), *TIME_COLUMNS],
        rows_out,
        total=[_("Total"), *(total[c.key] for c in TIME_COLUMNS)],
        chart=Chart("line", 0, (5,), compare=compare),
    )


BREAKDOWNS = {
    "category": (_("Por categoría"), _("Categoría"), _("Sin categoría")),
    "brand": (_("Por marca"), _("Marca"), _("Sin marca")),
    "product": (_("Por producto"), _("Producto"), ""),
    "payment_method": (_("Por forma de pago"), _("Forma de pago"), ""),
    "province": (_("Por provincia"), _("Provincia"), ""),
}
MONEY_COLUMNS = ("gross", "discounts", "refunds", "net")


def breakdown_table(key: str, title, label, items, labels, *, top: int = TOP, note="") -> Table:
    """One row per member (the ``top`` largest, then the rest in one row), with totals, so
    the rows always add up to the whole."""
    columns = [
        Column("label", label),
        Column("orders", _("Pedidos"), "int"),
        Column("units", _("Unidades"), "int"),
        Column("gross", _("Brutas"), "money"),
        Column("discounts", _("Descuentos"), "money"),
        Column("refunds", _("Reembolsos"), "money"),
        Column("net", _("Netas"), "money"),
        Column("share", _("% de las netas"), "pct"),
    ]
    net = sum((item.net for item in items), start=sum_field([], "net"))

    def row(name, group):
        values = [
            sum((getattr(i, f) for i in group), start=sum_field([], f)) for f in MONEY_COLUMNS
        ]
        orders = sum(i.orders for i in group)
        return [name, orders, sum(i.units for i in group), *values, ratio(values[-1], net)]

    rows = [row(name, [item]) for name, item in zip(labels[:top], items[:top], strict=True)]
    if len(items) > top:
        rest = items[top:]
        rows.append(row(_("Resto (%(count)s)") % {"count": len(rest)}, rest))
    total = row(_("Total"), items)
    return Table(key, title, columns, rows, total=total, chart=Chart("bar", 0, (6,)), note=note)


def _breakdowns(period: Period) -> list[Table]:
    active = period.filters.active
    if active and active[0] == "payment_method":
        return []
    if active:
        items = warehouse.product_sales(
            since=period.since,
            until=period.until,
            category_id=period.filters.category,
            brand_id=period.filters.brand,
        )
        title, label, _none = BREAKDOWNS["product"]
        return [breakdown_table("product", title, label, items, [i.name for i in items])]
    tables = []
    for dimension, (title, label, none) in BREAKDOWNS.items():
        items = warehouse.sales_by_dimension(
            dimension=dimension, since=period.since, until=period.until
        )
        labels = [none if none and i.member in ("", "0") else i.label for i in items]
        tables.append(breakdown_table(dimension, title, label, items, labels))
    return tables


WEEKDAYS = (
    _("Lunes"), _("Martes"), _("Miércoles"), _("Jueves"), _("Viernes"), _("Sábado"), _("Domingo"),
)  # fmt: skip


def heat_table(period: Period) -> Table:
    """Orders placed by weekday and shop-local hour; the cells carry a colour level."""
    counts = warehouse.orders_by_weekday_hour(since=period.since, until=period.until)
    rows = [
        [WEEKDAYS[day - 1], *(counts.get((day, hour), 0) for hour in range(24))]
        for day in range(1, 8)
    ]
    for row in rows:
        row.append(sum(row[1:]))
    peak = max((max(row[1:25]) for row in rows), default=0)
    levels = [[-(-5 * n // peak) if peak else 0 for n in row[1:25]] for row in rows]
    columns = [Column("weekday", _("Día"))]
    columns += [Column(f"h{hour:02d}", f"{hour:02d}", "heat") for hour in range(24)]
    columns.append(Column("total", _("Total"), "int"))
    return Table(
        "heatmap",
        _("Pedidos por día de la semana y hora"),
        columns,
        rows,
        levels=levels,
        note=_("Pedidos hechos (cobrados o no) por hora de la tienda."),
    )


def sales_report(*, period: Period) -> Report:
    rows = _rows(period, period.since, period.until)
    before_rows = _rows(period, period.compare_since, period.compare_until)
    kpis = period.filters.active is None
    now = totals(rows, kpis=kpis)
    before = totals(before_rows, kpis=kpis) if period.compare_since else None
    tables = [_waterfall(now, before), _over_time(period, rows, before_rows)]
    tables += _breakdowns(period)
    notes = []
    active = period.filters.active
    if active is None:
        tables.append(heat_table(period))
    else:
        notes.append(
            _("Con un filtro se muestran las ventas de lo filtrado; los desgloses que no lo "
              "admiten (y el mapa de calor por hora) se ocultan.")
        )  # fmt: skip
    return Report("sales", _("Ventas"), period, _sales_cards(now, before), tables, notes)
