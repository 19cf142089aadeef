"""The warehouse's tables live on the warehouse database only."""

import pytest
from django.apps import apps
from django.db import connections

from electropluz.routers import WarehouseRouter

ETL_MODELS = list(apps.get_app_config("etl").get_models())


def test_every_warehouse_model_is_routed_to_the_warehouse():
    router = WarehouseRouter()
    assert len(ETL_MODELS) == 22
    for model in ETL_MODELS:
        assert router.db_for_read(model) == "warehouse"
        assert router.db_for_write(model) == "warehouse"
        assert router.allow_migrate("warehouse", "etl", model._meta.model_name)
        assert not router.allow_migrate("default", "etl", model._meta.model_name)
    assert router.allow_migrate("default", "sales", "order")
    assert not router.allow_migrate("warehouse", "sales", "order")


def test_a_hinted_operation_runs_only_on_its_database():
    router = WarehouseRouter()
    assert router.allow_migrate("default", "etl", target_db="default")
    assert not router.allow_migrate("warehouse", "etl", target_db="default")


@pytest.mark.django_db(databases=["default", "warehouse"])
def test_migrations_created_the_tables_on_their_own_database_only():
    tables = {alias: set(connections[alias].introspection.table_names()) for alias in connections}
    etl_tables = {model._meta.db_table for model in ETL_MODELS}
    assert etl_tables <= tables["warehouse"]
    assert not etl_tables & tables["default"]
    assert "sales_order" in tables["default"]
    assert "sales_order" not in tables["warehouse"]
