"""Customers: new and returning, the repeat-purchase rate of the period's new customers,
the best customers under a pseudonym (the warehouse keeps no names or e-mails)."""

from django.utils.translation import gettext_lazy as _

from etl import selectors as warehouse

from .catalogue import _unfiltered_note
from .periods import Period
from .report import Chart, Column, Report, Table, bucket, buckets, card, ratio, sum_field


def _over_time(period: Period, rows) -> Table:
    starts = buckets(period.since, period.until, period.grain)
    grouped = {start: [0, 0] for start in starts}
    for row in rows:
        values = grouped[bucket(row.day, period.grain)]
        values[0] += row.new_customers
        values[1] += row.returning_customers
    table_rows = [[start, *grouped[start]] for start in starts]
    columns = [
        Column("bucket", _("Desde"), "date"),
        Column("new", _("Clientes nuevos"), "int"),
        Column("returning", _("Clientes que repiten"), "int"),
    ]
    total = [_("Total"), sum(r[1] for r in table_rows), sum(r[2] for r in table_rows)]
    note = _(
        "Nuevos: primera compra cobrada ese día. Que repiten: ya habían comprado antes "
        "(un cliente cuenta una vez por cada día en que compra)."
    )
    return Table("over_time", _("Nuevos y recurrentes"), columns, table_rows, total,
                 Chart("line", 0, (1, 2)), note=note)  # fmt: skip


def customers_report(*, period: Period) -> Report:
    notes = _unfiltered_note(period, ())
    rows = warehouse.daily_kpis(since=period.since, until=period.until)
    before = []
    if period.compare_since:
        before = warehouse.daily_kpis(since=period.compare_since, until=period.compare_until)
    cohort, repeat = warehouse.customer_cohort(since=period.since, until=period.until)
    top = warehouse.top_customers(limit=20)
    old = (lambda field: sum_field(before, field)) if period.compare_since else (lambda f: None)
    cards = [
        card("new", _("Clientes nuevos"), "int", sum_field(rows, "new_customers"), old("new_customers")),
        card("returning", _("Compras de clientes que repiten"), "int",
             sum_field(rows, "returning_customers"), old("returning_customers")),
        card("repeat_rate", _("Tasa de repetición"), "pct", ratio(repeat, cohort),
             note=_("De los clientes nuevos del periodo, cuántos han vuelto a comprar.")),
    ]  # fmt: skip
    top_table = Table(
        "top",
        _("Mejores clientes (histórico)"),
        [
            Column("customer", _("Cliente (seudónimo)")),
            Column("first", _("Primera compra"), "date"),
            Column("last", _("Última compra"), "date"),
            Column("orders", _("Pedidos"), "int"),
            Column("units", _("Unidades"), "int"),
            Column("net", _("Netas"), "money"),
        ],
        [[c.label, c.first_day, c.last_day, c.orders, c.units, c.net] for c in top],
        note=_("Los clientes se muestran con un seudónimo: el almacén no guarda nombres ni correos."),
    )  # fmt: skip
    tables = [_over_time(period, rows), top_table]
    return Report("customers", _("Clientes"), period, cards, tables, notes)
