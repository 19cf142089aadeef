"""gunicorn settings for ElectroPluz (``gunicorn -c deploy/gunicorn.conf.py electropluz.wsgi``).

Every value can be overridden from the environment (``GUNICORN_*``), so the same file
serves the containers, the systemd units and the tests.

Graceful restart: ``kill -HUP <master>`` starts new workers with fresh code and
settings and lets the old ones finish their requests (up to ``graceful_timeout``)
before they exit; ``systemctl reload electropluz-web`` sends exactly that.
"""

import json
import multiprocessing
import os
import time

from gunicorn.glogging import Logger

# Prometheus across workers: the multiprocess directory is set before any worker imports
# prometheus_client, wiped when the master starts, and a dead worker's files are marked.
from electropluz.gunicorn_hooks import child_exit, metrics_dir_setup, on_starting

metrics_dir_setup()


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: (2 x cores) + 1 is gunicorn's own rule of thumb for I/O-bound Django.
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
# A request that takes longer than this is killed and its worker replaced; nginx's
# proxy_read_timeout is a little longer, so nginx answers 504 only if gunicorn did not.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On HUP/TERM, how long a worker may finish its requests before it is killed.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then (spread by the jitter) so a slow leak never grows.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# nginx buffers request bodies, so only it talks to gunicorn: its address is trusted
# for X-Forwarded-Proto (Django reads it through SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or None  # /dev/shm in containers
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
pidfile = os.environ.get("GUNICORN_PID_FILE") or None
proc_name = "electropluz"


class JsonAccessLogger(Logger):
    """One JSON object a line per request, with values escaped (a log line is never
    broken by a quote in a user agent). The client is the first untrusted address of
    X-Forwarded-For, as nginx saw it; ``remote_addr`` is the proxy."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        record = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "remote_addr": environ.get("REMOTE_ADDR"),
            "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "query": environ.get("QUERY_STRING") or None,
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 2),
            "referer": environ.get("HTTP_REFERER"),
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "request_id": environ.get("HTTP_X_REQUEST_ID"),
            "pid": os.getpid(),
        }
        try:
            self.access_log.info(json.dumps(record, ensure_ascii=False))
        except Exception:  # a log line must never fail a request
            self.exception("access log")


logger_class = JsonAccessLogger


def worker_abort(worker):
    worker.log.warning("worker %s aborted after the %ss timeout", worker.pid, timeout)


__all__ = ["child_exit", "on_starting", "worker_abort"]
