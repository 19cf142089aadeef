"""deploy/deploy.sh end to end against local services: checks, a backup, migrations,
a graceful restart of a gunicorn it runs on loopback (DEPLOY_RESTART=local instead of
systemd), verification; and a failed verification stops with the exact rollback, which
works when run."""

import os
import re
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.deploy.stack import ROOT, app_env, free_port, get_json, manage, wait_for

pytestmark = pytest.mark.processes

SCRIPT = ROOT / "deploy" / "deploy.sh"


def _deploy(env: dict, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our deploy script)
        ["/bin/bash", str(SCRIPT)],
        env={**env, **extra},
        capture_output=True,
        text=True,
        timeout=400,
    )


def _pid(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


@pytest.fixture
def release(tmp_path):
    var_dir = tmp_path / "var"
    port = free_port()
    env = app_env(
        var_dir,
        ELECTROPLUZ_ENV_FILE=str(tmp_path / "none"),
        DEPLOY_PYTHON=str(Path(os.sys.executable)),
        DEPLOY_RESTART="local",
        DEPLOY_SKIP_INSTALL="1",
        DEPLOY_BASE_URL=f"http://127.0.0.1:{port}",
        DEPLOY_HOST="shop.example.com",
        DEPLOY_VERIFY_SECONDS="90",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
        GUNICORN_PID_FILE=str(tmp_path / "gunicorn.pid"),
        GUNICORN_ACCESS_LOG=str(tmp_path / "access.log"),
        GUNICORN_ERROR_LOG=str(tmp_path / "error.log"),
        CELERY_TASK_ALWAYS_EAGER="1",
    )
    # The shop as it stood before this release: migrated, one product on sale.
    manage(env, "migrate", "--noinput")
    manage(
        env, "shell", "-c",
        "from tests.inventory.factories import make_product; make_product(name='Televisor Lumen 55')",
    )  # fmt: skip
    pid_file = tmp_path / "gunicorn.pid"
    yield env, port, pid_file, var_dir
    pid = _pid(pid_file)
    if pid:
        os.kill(pid, signal.SIGTERM)
        wait_for(lambda: _pid(pid_file) is None, timeout=30)


def test_a_deployment_backs_up_migrates_restarts_gracefully_and_verifies(release):
    env, port, pid_file, var_dir = release
    first = _deploy(env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "/readyz: 200" in first.stdout and "/producto/televisor-lumen-55/: 200" in first.stdout
    backup = Path(re.search(r"^backup: (.+)$", first.stdout, re.M).group(1))
    assert (backup / "manifest.json").exists() and backup.parent == var_dir / "backups"
    master = _pid(pid_file)
    assert master and get_json(port, "/healthz")[0] == 200

    second = _deploy(env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert f"gunicorn {master} reloaded" in second.stdout  # HUP: same master, new workers
    assert _pid(pid_file) == master
    with sqlite3.connect(var_dir / "electropluz.sqlite3") as db:
        runs = db.execute("SELECT status FROM ops_backuprun").fetchall()
    assert runs == [("verified",), ("verified",)]  # each deployment's backup, checked


def test_a_failed_verification_stops_and_prints_the_rollback_that_works(release):
    env = release[0]
    failed = _deploy(env, DEPLOY_PRODUCT_PATH="/producto/no-existe/", DEPLOY_VERIFY_SECONDS="3")
    assert failed.returncode == 1
    assert "DEPLOY FAILED: the product page /producto/no-existe/ answered 404" in failed.stderr
    lines = failed.stderr.splitlines()
    restore = next(line.strip() for line in lines if " restore " in line)
    assert restore.endswith("--noinput") and "/backups/electropluz-" in restore
    assert any(line.strip().startswith("git -C ") for line in lines)
    assert any(line.strip().startswith("kill -HUP") for line in lines)

    # The printed command, as printed, brings the data back.
    done = subprocess.run(  # noqa: S602 (the command the script printed)
        restore, shell=True, env=env, capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Restored electropluz-" in done.stdout
