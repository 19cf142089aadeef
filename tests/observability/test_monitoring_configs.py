"""deploy/monitoring checked with the real tools, and every series it reads is one the
shop exports (or a recording rule, or one of the ETL's announced series)."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.test import Client

from .helpers import samples

pytestmark = pytest.mark.processes

MONITORING = Path(__file__).resolve().parents[2] / "deploy" / "monitoring"
# Exported by the ETL's collector once the pipeline ships (see the rules file's header).
ETL_SERIES = {
    "electropluz_etl_last_success_timestamp_seconds",
    "electropluz_etl_last_run_failed",
    "electropluz_etl_reconciliation_difference",
}
METRIC = re.compile(r"\b((?:django|electropluz)_[a-z0-9_]+|up)\b")


@pytest.mark.skipif(
    not (shutil.which("promtool") and shutil.which("amtool")),
    reason="promtool and amtool are not installed (apt-get install prometheus "
    "prometheus-alertmanager; CI installs them)",
)
def test_the_real_tools_accept_the_configuration_and_the_alert_tests_pass():
    result = subprocess.run(  # noqa: S603
        ["sh", str(MONITORING / "check.sh")],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout and "monitoring configuration: OK" in result.stdout


def _rules() -> list[dict]:
    config = yaml.safe_load((MONITORING / "rules" / "electropluz.rules.yml").read_text())
    return [rule for group in config["groups"] for rule in group["rules"]]


def _exported_names(settings) -> set[str]:
    """Series names a scrape of this shop carries (after some traffic and a task)."""
    from apps.core.tasks import outbox_sweep

    client = Client()
    client.get("/healthz")
    outbox_sweep.delay()
    settings.CELERY_TASK_ALWAYS_EAGER = False  # tasks through a broker: the queue is read
    text = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    names = set()
    for name, _labels in samples(text):
        names.add(name)
        for suffix in ("_bucket", "_count", "_sum", "_total", "_created"):
            names.add(name.removesuffix(suffix))
    return names


@pytest.mark.django_db
def test_every_series_in_the_rules_and_the_dashboard_exists(settings):
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    known = _exported_names(settings) | ETL_SERIES | {"up"}
    known |= {rule["record"] for rule in _rules() if "record" in rule}
    expressions = [rule["expr"] for rule in _rules()]
    dashboard = json.loads((MONITORING / "grafana" / "dashboards" / "electropluz.json").read_text())
    expressions += [
        target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])
    ]
    used = {name for expr in expressions for name in METRIC.findall(expr)}
    assert used - known == set()
    # The list: each of these is read by an alert.
    alerts = {rule["alert"] for rule in _rules() if "alert" in rule}
    assert {
        "ElectroPluzHighErrorRate",
        "ElectroPluzSlowResponses",
        "ElectroPluzWorkerDown",
        "ElectroPluzTaskFailureRate",
        "ElectroPluzQueueBacklog",
        "ElectroPluzOutboxBacklog",
        "ElectroPluzEtlLate",
        "ElectroPluzEtlFailed",
        "ElectroPluzReconciliationDifference",
        "ElectroPluzLowStock",
    } <= alerts


def test_critical_alerts_page_and_the_key_comes_from_the_environment():
    config = yaml.safe_load((MONITORING / "alertmanager.yml").read_text())
    receivers = {receiver["name"]: receiver for receiver in config["receivers"]}
    pagerduty = receivers["pagerduty"]["pagerduty_configs"][0]
    assert "routing_key" not in pagerduty and pagerduty["routing_key_file"]
    assert "PAGERDUTY_ROUTING_KEY" in (MONITORING / "alertmanager-start.sh").read_text()
    assert config["route"]["receiver"] == "email"
    assert config["global"]["pagerduty_url"].endswith("/v2/enqueue")  # Events API v2
    paging = [
        rule["alert"] for rule in _rules() if rule.get("labels", {}).get("severity") == "critical"
    ]
    assert "ElectroPluzReconciliationDifference" in paging and "ElectroPluzWorkerDown" in paging
