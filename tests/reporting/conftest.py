"""The ETL's golden dataset (``tests/etl/test_golden.py``), loaded into the warehouse, and
a manager to read it with."""

import pytest
from django.test import Client

from tests.accounts.factories import UserFactory
from tests.etl import test_golden
from tests.etl.conftest import at, categories, etl_at, shop  # noqa: F401 (fixtures)

golden = test_golden.golden  # the fixture

YEAR = {"periodo": "custom", "desde": "2025-01-01", "hasta": "2025-12-31"}


@pytest.fixture
def warehouse(golden):
    etl_at(at(2025, 11, 1, 8, 0))
    return golden


@pytest.fixture
def manager():
    client = Client()
    client.force_login(UserFactory(role="manager"))
    return client
