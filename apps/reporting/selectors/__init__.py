"""The dashboards' reads: each page is a Report built from the warehouse (``etl.selectors``).

Submodules are private; other modules import these names from here."""

from etl import selectors as warehouse

from .catalogue import coupons_report, products_report
from .customers import customers_report
from .periods import COMPARISONS, GRAINS, PARAMS, PRESETS, Filters, Period, period_parse, shop_today
from .report import Card, Chart, Column, Report, Table
from .sales import home_report, sales_report
from .stock import inventory_report

REPORTS = {
    "sales": sales_report,
    "products": products_report,
    "coupons": coupons_report,
    "inventory": inventory_report,
    "customers": customers_report,
}


def report_build(*, page: str, period: Period | None = None) -> Report:
    """The Report of a dashboard page (``home`` ignores the period: today, 7 and 30 days)."""
    if page == "home":
        return home_report()
    return REPORTS[page](period=period)


def filter_options() -> dict:
    """The members the filters offer (categories, brands, payment methods)."""
    return warehouse.filter_members()


__all__ = [
    "COMPARISONS",
    "GRAINS",
    "PARAMS",
    "PRESETS",
    "REPORTS",
    "Card",
    "Chart",
    "Column",
    "Filters",
    "Period",
    "Report",
    "Table",
    "coupons_report",
    "customers_report",
    "filter_options",
    "home_report",
    "inventory_report",
    "period_parse",
    "products_report",
    "refresh_progress",
    "report_build",
    "sales_report",
    "shop_today",
]


def refresh_progress(after_run_id: int) -> dict:
    """The runs since a "refresh now" (the sources in the ETL's order) and whether it is
    done: every source has a finished run."""
    runs = [r for r in warehouse.run_list(limit=20) if r.id > after_run_id]
    latest = {}
    for run in sorted(runs, key=lambda r: r.id):
        latest[run.source] = run
    sources = []
    for source in ("users", "inventory", "sales"):
        run = latest.get(source)
        sources.append(
            {
                "source": source,
                "status": run.status if run else "pending",
                "read": run.rows_read if run else 0,
                "loaded": run.rows_loaded if run else 0,
            }
        )
    finished = sum(s["status"] in ("succeeded", "failed", "skipped") for s in sources)
    return {
        "sources": sources,
        "finished": finished,
        "total": len(sources),
        "done": finished == len(sources),
    }
