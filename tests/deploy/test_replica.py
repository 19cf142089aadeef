"""A real streaming replica on loopback (pg_basebackup -R into a temporary folder, a
second port): marked heavy reads go there, reads inside a write transaction and every
write stay on the primary, and with the replica stopped reads fall back to the primary
without an error."""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from apps.core.replica import read_replica
from apps.inventory import selectors as inventory_selectors
from electropluz import routers
from tests.deploy.stack import free_port, wait_for
from tests.inventory.factories import make_product

pytestmark = [pytest.mark.postgres]

BIN = (
    sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
    if glob.glob("/usr/lib/postgresql/*/bin")
    else ""
)


def _as_postgres(*args: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (PostgreSQL's own tools, arguments we build)
        [shutil.which("runuser") or "/usr/sbin/runuser", "-u", "postgres", "--", *args],
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def _replication_allowed(conf: dict) -> bool:
    try:
        with psycopg.connect(
            host=conf["HOST"], port=conf["PORT"], user=conf["USER"], replication="true",
            dbname="replication", connect_timeout=5,
        ):  # fmt: skip
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture
def replica():
    conf = connections["default"].settings_dict
    if not BIN or os.geteuid() != 0 or not _replication_allowed(conf):
        pytest.skip("needs root, PostgreSQL's binaries and a replication entry in pg_hba.conf")
    folder = tempfile.mkdtemp(prefix="ep-replica-")
    postgres = pwd.getpwnam("postgres")
    os.chown(folder, postgres.pw_uid, postgres.pw_gid)
    data, port = os.path.join(folder, "data"), free_port()
    stop = lambda: _as_postgres(  # noqa: E731
        f"{BIN}/pg_ctl", "-D", data, "-m", "fast", "-w", "-t", "60", "stop", timeout=90
    )
    try:
        _start_replica(conf, folder, data, port, postgres)
        replica_conf = {**conf, "PORT": str(port), "CONN_MAX_AGE": 0}
        configured = connections.configure_settings({"default": conf, "replica": replica_conf})
        connections.settings["replica"] = configured["replica"]
        _unfence()
        routers._state.update(down_until=0.0, checked_at=0.0)
        yield stop
    finally:
        if "replica" in connections.settings:
            connections["replica"].close()
            del connections["replica"]
            del connections.settings["replica"]
        if os.path.exists(os.path.join(data, "postmaster.pid")):
            stop()
        shutil.rmtree(folder, ignore_errors=True)


def _unfence() -> None:
    """The test case fences off aliases it was not told about; this one is the test's own."""
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.test.testcases import _DatabaseFailure

    connection = connections["replica"]
    for name, value in list(vars(connection).items()):
        if isinstance(value, _DatabaseFailure):
            delattr(connection, name)
    for cell in getattr(BaseDatabaseWrapper.ensure_connection, "__closure__", None) or ():
        test_case = cell.cell_contents
        if isinstance(test_case, type) and hasattr(test_case, "databases"):
            test_case.databases = {*test_case.databases, "replica"}


def _start_replica(conf, folder, data, port, postgres) -> None:
    copied = _as_postgres(
        f"{BIN}/pg_basebackup", "-h", conf["HOST"], "-p", str(conf["PORT"]), "-U", conf["USER"],
        "-D", data, "-R", "-X", "stream", "-c", "fast", timeout=600,
    )  # fmt: skip
    assert copied.returncode == 0, copied.stderr
    # Debian keeps a cluster's configuration outside its data folder: give the copy its own.
    for name, text in (
        ("postgresql.conf", "# settings are given on the command line\n"),
        ("pg_hba.conf", "local all all trust\nhost all all 127.0.0.1/32 trust\n"),
        ("pg_ident.conf", ""),
    ):
        path = os.path.join(data, name)
        with open(path, "w") as handle:
            handle.write(text)
        os.chown(path, postgres.pw_uid, postgres.pw_gid)
    started = _as_postgres(
        f"{BIN}/pg_ctl", "-D", data, "-l", os.path.join(folder, "log"), "-w", "-t", "60",
        "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c hot_standby=on",
        "start", timeout=90,
    )  # fmt: skip
    assert started.returncode == 0, started.stderr + Path(folder, "log").read_text()


def _replayed(product_name: str) -> bool:
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM inventory_product WHERE name = %s", [product_name])
        return cursor.fetchone()[0] == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # like every other
def test_heavy_reads_go_to_the_replica_and_fall_back_when_it_stops(replica):
    _unfence()
    make_product(name="Televisor Réplica", price="500.00", cost="300.00", stock=4)
    assert wait_for(lambda: _replayed("Televisor Réplica"), timeout=30)
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)

    with CaptureQueriesContext(connections["replica"]) as on_replica:
        valuation = inventory_selectors.inventory_valuation()
    assert valuation.units == 4 and valuation.value == 1200
    assert any("inventory_variant" in q["sql"] for q in on_replica.captured_queries)

    # Unmarked reads, and marked reads inside a write transaction, stay on the primary.
    assert routers.primary_or_replica() == "default"
    with transaction.atomic(), read_replica():
        assert routers.primary_or_replica() == "default"

    stopped = replica()
    assert stopped.returncode == 0, stopped.stderr
    time.sleep(routers.CHECK_EVERY_SECONDS)
    with CaptureQueriesContext(connections["default"]) as on_primary:
        valuation = inventory_selectors.inventory_valuation()
    assert valuation.units == 4  # no error: read from the primary
    assert any("inventory_variant" in q["sql"] for q in on_primary.captured_queries)
    with read_replica():
        assert routers.primary_or_replica() == "default"  # not retried for a few seconds
