"""Minimal gunicorn configuration: the multiprocess metrics hooks, bind and workers.

    gunicorn -c deploy/gunicorn.conf.py electropluz.wsgi

Merge the hooks into the full deployment configuration when it lands.
"""

import os

from electropluz.gunicorn_hooks import child_exit, metrics_dir_setup, on_starting

metrics_dir_setup()  # before any worker imports prometheus_client

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = None  # the application writes one JSON line per request

__all__ = ["bind", "child_exit", "on_starting", "timeout", "workers"]
