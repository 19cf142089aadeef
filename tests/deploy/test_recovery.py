"""Database down: /readyz answers 503 naming it, pages answer a friendly 503 with no
traceback; when the database is back the site answers again within 5 s, without a
restart. On this machine's real PostgreSQL, touching only the test's own database:
new connections to it are refused and the app's sessions terminated."""

import os
import shutil
import subprocess
import time

import psycopg
import pytest
from django.db import connections

from tests.deploy.stack import Gunicorn, app_env, get_json, manage

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(
        transaction=True, serialized_rollback=True, databases=["default", "warehouse"]
    ),
]


def _url(alias: str) -> str:
    conf = connections[alias].settings_dict
    return f"postgres://{conf['USER']}@{conf['HOST']}:{conf['PORT']}/{conf['NAME']}"


def _get(port: int, path: str) -> tuple[int, str]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def _admin():
    conf = connections["default"].settings_dict
    return psycopg.connect(
        dbname="postgres", user=conf["USER"], host=conf["HOST"], port=conf["PORT"], autocommit=True
    )


def _cut(name: str, *, refuse: bool) -> None:
    """Terminates every session on our own test database; with ``refuse``, also refuses
    new ones until ``_restore`` (the database is 'down' for the app, nobody else)."""
    with _admin() as admin:
        if refuse:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )


def _restore(name: str) -> None:
    with _admin() as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


@pytest.fixture
def site(tmp_path):
    env = app_env(
        tmp_path,
        DATABASE_URL=_url("default"),
        WAREHOUSE_URL=_url("warehouse"),
        DJANGO_CONN_MAX_AGE="600",
        DJANGO_SECURE_SSL_REDIRECT="0",
        CELERY_TASK_ALWAYS_EAGER="1",
    )
    manage(env, "collectstatic", "--noinput")
    connections.close_all()
    server = Gunicorn(env, workers=2).start(log=tmp_path / "access.log")
    name = connections["default"].settings_dict["NAME"]
    yield server.port, name, tmp_path
    _restore(name)
    server.stop()
    connections.close_all()


def _until_ok(port: int, path: str, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if _get(port, path)[0] == 200:
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"{path} did not answer 200 within {seconds} s")


def _assert_friendly_503(port: int) -> None:
    status, body = _get(port, "/productos/")
    assert status == 503
    assert "Volvemos enseguida" in body and "Traceback" not in body and "psycopg" not in body
    status, body = _get(port, "/api/v1/products")
    assert status == 503 and '"code": "service_unavailable"' in body
    status, ready = get_json(port, "/readyz")
    assert status == 503 and ready["checks"]["database"] == "error"
    assert ready["checks"]["warehouse"] == "ok"


def test_pages_answer_503_while_the_database_is_down_and_recover_within_5s(site):
    port, name, tmp_path = site
    for _ in range(4):  # every worker holds a persistent connection
        assert _get(port, "/productos/")[0] == 200

    _cut(name, refuse=True)
    connections.close_all()
    try:
        for _ in range(3):
            _assert_friendly_503(port)
    finally:
        _restore(name)

    took = _until_ok(port, "/productos/", 5)
    assert took < 5
    for _ in range(6):  # both workers, with no restart
        assert _get(port, "/productos/")[0] == 200
    assert get_json(port, "/readyz")[0] == 200
    assert "database unavailable (GET /productos/)" in (tmp_path / "access.err").read_text()


def test_terminated_connections_are_replaced_at_the_next_request(site):
    port, name, _ = site
    for _ in range(4):
        assert _get(port, "/productos/")[0] == 200
    _cut(name, refuse=False)
    connections.close_all()
    statuses = [_get(port, "/productos/")[0] for _ in range(6)]
    assert statuses == [200] * 6  # health-checked connections: nobody saw the cut


@pytest.mark.skipif(
    os.environ.get("ELECTROPLUZ_DESTRUCTIVE_TESTS") != "1",
    reason="stops and starts the whole PostgreSQL cluster: set ELECTROPLUZ_DESTRUCTIVE_TESTS=1 "
    "on a machine nobody else is using",
)
def test_the_site_recovers_within_5s_after_the_cluster_restarts(site):
    port, _, _ = site
    cluster = subprocess.run(  # noqa: S603 (fixed arguments)
        [shutil.which("pg_lsclusters") or "pg_lsclusters", "-h"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    version, name = cluster[0], cluster[1]
    ctl = shutil.which("pg_ctlcluster") or "pg_ctlcluster"
    assert _get(port, "/productos/")[0] == 200
    subprocess.run([ctl, version, name, "stop", "-m", "fast"], check=True, timeout=60)  # noqa: S603
    try:
        connections.close_all()
        status, body = _get(port, "/productos/")
        assert status == 503 and "Volvemos enseguida" in body
        assert get_json(port, "/readyz")[0] == 503
    finally:
        subprocess.run([ctl, version, name, "start"], check=True, timeout=60)  # noqa: S603
    assert _until_ok(port, "/productos/", 5) < 5
