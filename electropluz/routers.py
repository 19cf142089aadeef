"""Keeps the data warehouse in its own database.

The ETL's models (app label ``etl``) live on the ``warehouse`` alias; every
other app lives on ``default``. Nothing migrates across, except a migration operation
that names its database with ``hints={"target_db": ...}`` (the ETL's beat schedule is data
in ``default``, written by an ``etl`` migration).
"""

WAREHOUSE_DB = "warehouse"
WAREHOUSE_APPS = frozenset({"etl"})


class WarehouseRouter:
    def db_for_read(self, model, **hints):
        return WAREHOUSE_DB if model._meta.app_label in WAREHOUSE_APPS else "default"

    db_for_write = db_for_read

    def allow_relation(self, obj1, obj2, **hints):
        in_warehouse = {obj._meta.app_label in WAREHOUSE_APPS for obj in (obj1, obj2)}
        return len(in_warehouse) == 1

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if "target_db" in hints:
            return db == hints["target_db"]
        if app_label in WAREHOUSE_APPS:
            return db == WAREHOUSE_DB
        return db != WAREHOUSE_DB
