import pytest

from apps.inventory import selectors as inventory_selectors
from apps.sales import selectors as sales_selectors
from tests.dbcheck import uses_database


@pytest.fixture(autouse=True)
def _ledgers_balance(request):
    """After every sales test: stock equals its ledger; the sales ledger equals the orders."""
    yield
    if uses_database(request):
        assert inventory_selectors.stock_ledger_mismatches() == []
        totals = sales_selectors.ledger_totals()
        assert totals["ledger"] == totals["orders"], totals
