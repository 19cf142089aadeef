"""Settings from the environment: refusals, defaults, the warehouse router."""

import os
import subprocess
import sys
from pathlib import Path

from django.apps import apps
from django.conf import settings

from electropluz.routers import WarehouseRouter

ROOT = Path(__file__).resolve().parent.parent


def _run_django(code: str, env_overrides: dict, tmp_path) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "WAREHOUSE_URL"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "electropluz.settings.base",
            "ELECTROPLUZ_VAR_DIR": str(tmp_path),
        }
    )
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    result = _run_django("", {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": ""}, tmp_path)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_default_sqlite_survives_concurrent_writers(tmp_path):
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]); "
        "c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0]); "
        "print(connection.transaction_mode)"
    )
    result = _run_django(code, {"DJANGO_DEBUG": "1"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000", "IMMEDIATE"]


def test_postgres_connections_are_persistent_and_checked(tmp_path):
    code = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['ENGINE'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    result = _run_django(
        code,
        {"DJANGO_DEBUG": "1", "DATABASE_URL": "postgres://shop@127.0.0.1:5432/shop"},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django_prometheus.db.backends.postgresql", "600", "True"]


def test_router_keeps_the_warehouse_apart():
    router = WarehouseRouter()
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    assert router.db_for_read(user_model) == "default"
    assert router.allow_migrate("warehouse", "etl") is True
    assert router.allow_migrate("default", "etl") is False
    assert router.allow_migrate("warehouse", "accounts") is False
    assert router.allow_migrate("default", "accounts") is True


def test_passwords_are_hashed_with_argon2_in_production():
    from electropluz.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert len(base.AUTH_PASSWORD_VALIDATORS) == 4
