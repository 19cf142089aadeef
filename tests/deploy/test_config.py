"""The deployment files: the compose file against the Compose specification's JSON
schema (no Docker engine runs here, so the schema is the check), and what each file
must say for the shop to run safely."""

import configparser
import importlib.util
import multiprocessing
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.deploy.stack import DEPLOY

pytestmark = pytest.mark.processes

CHECK = Path(sys.executable).with_name("check-jsonschema")


def _validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (the venv's validator, fixed arguments)
        [str(CHECK), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.fixture(scope="module")
def compose():
    return YAML(typ="safe").load((DEPLOY / "compose.yaml").read_text())


def test_the_compose_file_matches_the_compose_specification():
    checked = _validate(DEPLOY / "compose.yaml")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_schema_check_catches_a_mistake(tmp_path):
    broken = tmp_path / "compose.yaml"
    text = (
        (DEPLOY / "compose.yaml")
        .read_text()
        .replace('restart: "no"', 'restart: "no"\n    replica: 2')
    )
    broken.write_text(text)
    assert _validate(broken).returncode != 0


def test_the_services_and_their_order(compose):
    services = compose["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "worker", "beat", "nginx"}
    assert services["web"]["deploy"]["replicas"] == 2
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    assert services["nginx"]["depends_on"]["web"]["condition"] == "service_healthy"
    assert "healthcheck" in services["db"] and "healthcheck" in services["redis"]
    assert "warehouse" in " ".join(services["migrate"]["command"])


def test_data_media_and_backups_live_in_volumes(compose):
    assert {"pgdata", "redisdata", "media", "backups"} <= set(compose["volumes"])
    web = compose["services"]["web"]
    assert "media:/app/var/media" in web["volumes"] and "backups:/backups" in web["volumes"]
    assert "media:/srv/electropluz/var/media:ro" in compose["services"]["nginx"]["volumes"]


def test_the_image_builds_in_stages_runs_unprivileged_and_checks_its_health():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    stages = [line.split()[-1] for line in dockerfile.splitlines() if line.startswith("FROM ")]
    assert stages == ["build", "web", "proxy"]
    web = dockerfile.split("AS web", 1)[1].split("AS proxy", 1)[0]
    assert "USER electropluz" in web and "collectstatic --noinput" in web
    assert "HEALTHCHECK" in web and "/healthz" in web
    assert "COPY --from=build /opt/venv" in web


def test_gunicorn_settings(monkeypatch):
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    spec = importlib.util.spec_from_file_location("gunicorn_conf", DEPLOY / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    assert conf.workers == multiprocessing.cpu_count() * 2 + 1
    assert conf.timeout == 30 and conf.graceful_timeout == 30
    assert conf.max_requests > 0 and conf.max_requests_jitter > 0
    assert conf.logger_class.__name__ == "JsonAccessLogger"


@pytest.mark.parametrize("unit", ["electropluz-web", "electropluz-worker", "electropluz-beat"])
def test_systemd_units(unit):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read(DEPLOY / "systemd" / f"{unit}.service")
    service = parser["Service"]
    assert service["User"] == "electropluz"
    assert service["EnvironmentFile"] == "/etc/electropluz/env"
    assert service["Restart"] == "on-failure"
    assert parser["Install"]["WantedBy"] == "multi-user.target"
    if unit == "electropluz-web":
        assert "deploy/gunicorn.conf.py" in service["ExecStart"]
        assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"  # graceful restart


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_units_verify():
    done = subprocess.run(  # noqa: S603 (fixed arguments)
        [shutil.which("systemd-analyze"), "verify", *map(str, (DEPLOY / "systemd").glob("*.service"))],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "Unknown key" not in done.stderr and "Invalid" not in done.stderr


def _make_calls(text: str) -> list[str]:
    import re

    return [" ".join(m.split()) for m in re.findall(r"(?:env -u \S+ -u \S+ )?make \w+", text)]


def test_jenkins_runs_the_same_make_targets_as_ci():
    ci = (DEPLOY.parent / ".ci" / "run").read_text()
    jenkins = (DEPLOY.parent / "Jenkinsfile").read_text()
    assert _make_calls(ci) == _make_calls(jenkins)
    assert "requirements-mysql.txt" in jenkins


def test_the_windows_start_script():
    script = (DEPLOY / "windows" / "start_services.ps1").read_text()
    for needed in (
        "-m venv .venv",
        "requirements-windows.txt",
        "migrate --noinput",
        "migrate --noinput --database warehouse",
        "--pool=solo",
        "waitress-serve.exe",
    ):
        assert needed in script
    assert "waitress==" in (DEPLOY.parent / "requirements-windows.txt").read_text()
