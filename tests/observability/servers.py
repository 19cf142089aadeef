"""Real servers for tests: on 127.0.0.1, a free port, bounded in time, always stopped."""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SECRET = "test-only-key-" + "y" * 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "ELECTROPLUZ_", "PROMETHEUS_", "METRICS_", "OTEL_", "CELERY_")
        )
    }
    env.update(
        DJANGO_SETTINGS_MODULE="electropluz.settings.base",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        ELECTROPLUZ_VAR_DIR=str(var_dir),
        DATABASE_URL="",
        WAREHOUSE_URL="",
        REDIS_URL="",
    )
    env.update(extra)
    return env


def get(port: int, path: str, headers: dict | None = None, timeout: float = 10):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def wait_until_up(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        with contextlib.suppress(OSError):
            if get(port, "/healthz", timeout=30)[0] == 200:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing answered on port {port} within {seconds} s")


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


@contextlib.contextmanager
def running(args: list[str], env: dict[str, str], log: Path):
    with open(log, "wb") as out:
        process = subprocess.Popen(  # noqa: S603
            args, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)


def gunicorn_args(port: int, workers: int = 2) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "deploy/gunicorn.conf.py",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "30",
        "electropluz.wsgi",
    ]
