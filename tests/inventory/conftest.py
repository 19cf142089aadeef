import pytest

from apps.inventory import selectors as inventory_selectors
from tests.dbcheck import uses_database


@pytest.fixture(autouse=True)
def _stock_equals_its_ledger(request):
    """After every inventory test that touched the database: on_hand == sum(ledger)."""
    yield
    if uses_database(request):
        assert inventory_selectors.stock_ledger_mismatches() == []
