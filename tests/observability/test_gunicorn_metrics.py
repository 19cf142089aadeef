"""The classic failure of Prometheus under gunicorn: counters that reset or read zero
depending on which worker answers. Here a real gunicorn with two workers serves N
requests; every scrape, whichever worker answers it, counts exactly the requests
served so far, never fewer than the scrape before, even after a worker is killed."""

import os
import signal
import subprocess
import sys
import time

import pytest

from .helpers import total, value
from .servers import (
    children,
    free_port,
    get,
    gunicorn_args,
    production_env,
    running,
    wait_until_up,
)

pytestmark = pytest.mark.processes

RESPONSES = "django_http_responses_total_by_status_view_method_total"
TOKEN = "token-de-prueba-para-metricas"


def _leave_stale_counts(directory) -> None:
    """What a previous run leaves behind: a file with 1,000 healthz responses."""
    code = (
        "from prometheus_client import Counter;"
        f"Counter('{RESPONSES[: -len('_total')]}', 'x', ['status', 'view', 'method'])"
        ".labels('200', 'healthz', 'GET').inc(1000)"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)  # noqa: S603
    assert list(directory.glob("counter_*.db"))


def _healthz_count(port: int) -> float:
    status, body = get(port, "/metrics", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200, body[:500]
    return value(body, RESPONSES, status="200", view="healthz", method="GET") or 0


def test_two_workers_count_every_request_once_and_never_go_back(tmp_path):
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    _leave_stale_counts(metrics_dir)
    port = free_port()
    env = production_env(tmp_path, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), METRICS_TOKEN=TOKEN)
    with running(gunicorn_args(port, workers=2), env, tmp_path / "gunicorn.log") as server:
        wait_until_up(port, server)  # /healthz answered (after a retry or two while booting)
        seen = [_healthz_count(port)]
        assert 1 <= seen[0] < 10, seen  # the stale 1,000 were wiped at start
        sent = seen[0]
        workers_before = children(server.pid)
        assert len(workers_before) == 2
        for round_number in range(6):
            for _ in range(25):
                assert get(port, "/healthz")[0] == 200
                sent += 1
            if round_number == 2:  # a worker dies; gunicorn starts another
                os.kill(workers_before[0], signal.SIGKILL)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    now = children(server.pid)
                    if len(now) == 2 and workers_before[0] not in now:
                        break
                    time.sleep(0.2)
            for _ in range(3):  # several scrapes, answered by either worker
                seen.append(_healthz_count(port))
                assert seen[-1] == sent, (seen, sent)
        assert seen == sorted(seen)
        pids = {path.stem.split("_")[-1] for path in metrics_dir.glob("counter_*.db")}
        assert len(pids) >= 2, pids  # both workers (and the replacement) counted
        _status, body = get(port, "/metrics", {"Authorization": f"Bearer {TOKEN}"})
        latency_count = "django_http_requests_latency_seconds_by_view_method_count"
        assert total(body, latency_count, view="healthz") == sent
        assert get(port, "/metrics")[0] == 401
