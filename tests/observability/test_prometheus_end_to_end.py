"""Done as an operator would: a real Prometheus, started from deploy/monitoring/
prometheus.yml (ports and interval adapted to this test), scrapes a running shop under
gunicorn with two workers and a Celery worker with two pool processes, and sees every
series with the counts the shop itself reports."""

import json
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
import yaml

from .servers import (
    BASE_DIR,
    free_port,
    get,
    gunicorn_args,
    production_env,
    running,
    wait_until_up,
)

pytestmark = [
    pytest.mark.processes,
    pytest.mark.skipif(
        not shutil.which("prometheus"),
        reason="prometheus is not installed (apt-get install prometheus; CI installs it)",
    ),
]
TOKEN = "token-de-prueba-para-prometheus"
TASKS = 3


def _prometheus_config(tmp_path, web_port, worker_port, own_port):
    config = yaml.safe_load((BASE_DIR / "deploy" / "monitoring" / "prometheus.yml").read_text())
    config["global"]["scrape_interval"] = "1s"
    config["global"]["evaluation_interval"] = "1s"
    config["rule_files"] = [
        str(BASE_DIR / "deploy" / "monitoring" / rule) for rule in config["rule_files"]
    ]
    config.pop("alerting")  # no Alertmanager in this test
    ports = {"electropluz-web": web_port, "electropluz-worker": worker_port, "prometheus": own_port}
    for job in config["scrape_configs"]:
        job["static_configs"][0]["targets"] = [f"127.0.0.1:{ports[job['job_name']]}"]
    (tmp_path / "metrics-token").write_text(TOKEN)
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


def _query(port, expr):
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)["data"]["result"]


def _value(port, expr):
    result = _query(port, expr)
    return float(result[0]["value"][1]) if result else None


def _eventually(port, expr, expected, seconds=40):
    deadline = time.monotonic() + seconds
    seen = None
    while time.monotonic() < deadline:
        seen = _value(port, expr)
        if seen == expected:
            return
        time.sleep(0.5)
    raise AssertionError(f"{expr}: Prometheus says {seen}, expected {expected}")


def _send_tasks(env, count):
    code = (
        "from electropluz.celery import app\n"
        f"for _ in range({count}): app.send_task('core.outbox_sweep')\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, check=True, timeout=60)  # noqa: S603


def test_prometheus_scrapes_the_shop_and_the_worker(tmp_path):
    web_port, worker_port, prom_port = free_port(), free_port(), free_port()
    env = production_env(tmp_path, METRICS_TOKEN=TOKEN, REQUEST_ROLLUP_FLUSH_SECONDS="1")
    for database in ("default", "warehouse"):
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "migrate", "--noinput", "--database", database],
            cwd=BASE_DIR, env=env, check=True, timeout=180, capture_output=True,
        )  # fmt: skip
    web_env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus-web")}
    worker_env = {
        **env,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus-worker"),
        "CELERY_METRICS_PORT": str(worker_port),
    }
    (tmp_path / "prometheus-worker").mkdir()
    worker_args = [
        sys.executable, "-m", "celery", "-A", "electropluz", "worker", "--concurrency", "2",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
    ]  # fmt: skip
    prometheus_args = [
        "prometheus",
        f"--config.file={_prometheus_config(tmp_path, web_port, worker_port, prom_port)}",
        f"--storage.tsdb.path={tmp_path / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{prom_port}",
    ]
    with (
        running(gunicorn_args(web_port), web_env, tmp_path / "gunicorn.log") as web,
        running(worker_args, worker_env, tmp_path / "worker.log"),
        running(prometheus_args, env, tmp_path / "prometheus.log"),
    ):
        wait_until_up(web_port, web)
        for _ in range(40):
            assert get(web_port, "/healthz")[0] == 200
        assert get(web_port, "/metrics")[0] == 401  # no token
        _send_tasks(env, TASKS)
        status, text = get(web_port, "/metrics", {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        from .helpers import value

        healthz = value(
            text,
            "django_http_responses_total_by_status_view_method_total",
            status="200",
            view="healthz",
            method="GET",
        )
        assert healthz >= 41

        _eventually(prom_port, 'up{job="electropluz-web"}', 1.0)
        _eventually(prom_port, 'up{job="electropluz-worker"}', 1.0)
        _eventually(
            prom_port,
            'sum(django_http_responses_total_by_status_view_method_total{view="healthz",status="200"})',
            healthz,
        )
        _eventually(
            prom_port,
            'sum(electropluz_celery_tasks_total{job="electropluz-worker",task="core.outbox_sweep",outcome="succeeded"})',
            float(TASKS),
        )
        for series in (
            "django_http_requests_latency_seconds_by_view_method_bucket",
            "django_db_execute_total",
            "django_cache_get_total",
            "electropluz_celery_task_duration_seconds_bucket",
            "electropluz_celery_queue_length",
            "electropluz_outbox_pending_messages",
            "electropluz_outbox_dead_messages",
            "electropluz_orders_today",
            "electropluz_net_sales_today_euros",
            "electropluz_low_stock_variants",
            "electropluz_shop_metrics_up",
            "electropluz_process_resident_memory_bytes",
        ):
            assert _query(prom_port, series), f"Prometheus has no {series}"
        assert _value(prom_port, "max(electropluz_shop_metrics_up)") == 1.0
        assert (
            _value(prom_port, 'count(electropluz_process_resident_memory_bytes{role="web"})') >= 1
        )
        with urllib.request.urlopen(
            f"http://127.0.0.1:{prom_port}/api/v1/rules", timeout=5
        ) as response:
            groups = json.load(response)["data"]["groups"]
        assert {group["name"] for group in groups} == {"electropluz", "electropluz-recording"}
