"""Database routing.

The ETL's models (app label ``etl``) live on the ``warehouse`` alias; every other app
lives on ``default``. Nothing migrates across, except a migration operation that names
its database with ``hints={"target_db": ...}`` (the ETL's beat schedule is data in
``default``, written by an ``etl`` migration).

With ``DATABASE_REPLICA_URL`` set there is a ``replica`` alias: a streaming copy of
``default``. Reads marked with ``apps.core.replica.read_replica()`` go there, unless the
primary is inside a write transaction (those reads must see their own writes) or the
replica does not answer: then the primary, and the replica is tried again a few seconds
later. Writes always go to the primary.
"""

import logging
import time

from django.db import DatabaseError, connections

from apps.core.replica import replica_requested

logger = logging.getLogger(__name__)

WAREHOUSE_DB = "warehouse"
WAREHOUSE_APPS = frozenset({"etl"})
REPLICA_DB = "replica"
RETRY_AFTER_SECONDS = 5.0  # a replica found down is not tried again before this
CHECK_EVERY_SECONDS = 1.0  # an open replica connection is health-checked this often

_state = {"down_until": 0.0, "checked_at": 0.0}


def _replica_answers() -> bool:
    now = time.monotonic()
    if now < _state["down_until"]:
        return False
    connection = connections[REPLICA_DB]
    try:
        if connection.connection is None:
            connection.ensure_connection()
            _state["checked_at"] = now
        elif now - _state["checked_at"] >= CHECK_EVERY_SECONDS:
            if not connection.is_usable():
                raise DatabaseError("the replica connection is not usable")
            _state["checked_at"] = now
        return True
    except DatabaseError as exc:
        logger.warning("read replica unavailable, reading from the primary: %s", exc)
        connection.close_if_unusable_or_obsolete()
        try:
            connection.close()
        except DatabaseError:
            connection.connection = None
        _state["down_until"] = now + RETRY_AFTER_SECONDS
        return False


def primary_or_replica() -> str:
    if (
        REPLICA_DB in connections.settings
        and replica_requested()
        and not connections["default"].in_atomic_block
        and _replica_answers()
    ):
        return REPLICA_DB
    return "default"


class WarehouseRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label in WAREHOUSE_APPS:
            return WAREHOUSE_DB
        return primary_or_replica()

    def db_for_write(self, model, **hints):
        return WAREHOUSE_DB if model._meta.app_label in WAREHOUSE_APPS else "default"

    def allow_relation(self, obj1, obj2, **hints):
        dbs = {
            WAREHOUSE_DB if obj._meta.app_label in WAREHOUSE_APPS else "default"
            for obj in (obj1, obj2)
        }
        return len(dbs) == 1

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == REPLICA_DB:
            return False  # a copy: it follows the primary's schema
        if "target_db" in hints:
            return db == hints["target_db"]
        if app_label in WAREHOUSE_APPS:
            return db == WAREHOUSE_DB
        return db != WAREHOUSE_DB
