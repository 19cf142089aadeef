"""HTTP benchmark of the shop's pages: prints requests/s and p50/p95/p99 per page.

    python bench/http_bench.py [--seconds 10] [--connections 10] [--products 2000]

It builds a throw-away demo shop (SQLite, in a temporary folder), starts
gunicorn with 2 sync workers on 127.0.0.1 with DEBUG off, and drives it from
this process with keep-alive connections: loopback only, bounded in time. The
load generator shares the machine's cores with the server, so read the figures
as relative, not absolute. Nothing here asserts: the test suite never times.
"""

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST, PORT = "127.0.0.1", 8077


def _env(var_dir: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "WAREHOUSE_URL"))
    }
    env.update(
        {
            "ELECTROPLUZ_VAR_DIR": var_dir,
            "DJANGO_SETTINGS_MODULE": "electropluz.settings.base",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )
    return env


def _manage(env: dict, *args: str) -> None:
    subprocess.run(  # noqa: S603  (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _worker(path: str, deadline: float, latencies: list, failures: list) -> None:
    connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers={"Accept": "text/html"})
            response = connection.getresponse()
            response.read()
            if response.status >= 400:
                failures.append(response.status)
        except (OSError, http.client.HTTPException):
            failures.append("error")
            connection.close()
            connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
            continue
        latencies.append(time.perf_counter() - started)
    connection.close()


def _load(path: str, seconds: float, connections: int) -> dict:
    latencies: list[float] = []
    failures: list = []
    deadline = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=_worker, args=(path, deadline, latencies, failures))
        for _ in range(connections)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]

    def pct(p):
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000

    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(ordered) * 1000,
        "p95": pct(0.95),
        "p99": pct(0.99),
        "failures": len(failures),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--products", type=int, default=2000)
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="ep-bench-")
    env = _env(var_dir)
    print(f"Building a demo shop with {args.products} products…", flush=True)
    _manage(env, "migrate", "--noinput")
    _manage(env, "migrate", "--noinput", "--database", "warehouse")
    _manage(env, "seed_demo", "--allow-production", "--products", str(args.products))
    _manage(env, "collectstatic", "--noinput")
    server = subprocess.Popen(  # noqa: S603  (gunicorn from this venv, fixed arguments)
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "electropluz.wsgi",
            "--bind",
            f"{HOST}:{PORT}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection(HOST, PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        pages = {
            "home": "/",
            "product list": "/productos/?orden=bestselling",
            "category": "/categoria/informatica/",
            "search": "/productos/?q=portatil",
            "product": None,
            "API products": "/api/v1/products?page=2",
        }
        probe = http.client.HTTPConnection(HOST, PORT, timeout=10)
        probe.request("GET", "/api/v1/products?sort=bestselling")
        first = json.loads(probe.getresponse().read())["items"][0]["slug"]
        pages["product"] = f"/producto/{first}/"
        print(
            f"\n{args.connections} connections, {args.seconds:.0f} s per page, gunicorn 2 sync workers, SQLite\n"
        )
        print(
            f"{'page':<14} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'non-2xx':>8}"
        )
        for name, path in pages.items():
            _load(path, 1, args.connections)  # warm the caches and connections
            result = _load(path, args.seconds, args.connections)
            print(
                f"{name:<14} {result['requests']:>9} {result['rps']:>8.1f} {result['p50']:>8.1f} "
                f"{result['p95']:>8.1f} {result['p99']:>8.1f} {result['failures']:>8}"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
