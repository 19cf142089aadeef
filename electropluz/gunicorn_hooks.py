"""gunicorn server hooks that keep Prometheus counters right across workers.

Every worker writes its counters to files in ``PROMETHEUS_MULTIPROC_DIR`` and a scrape
adds them up, whichever worker answers. For that the directory must be in the
environment before any worker starts (``metrics_dir_setup`` at config load, in the
master), be empty when the server starts (``on_starting``: files from the last run
would be counted again) and a dead worker's live gauges must go (``child_exit``); its
counters stay, so totals never go backwards. A gunicorn config imports these:

    from electropluz.gunicorn_hooks import child_exit, metrics_dir_setup, on_starting
    metrics_dir_setup()
"""

import os
from pathlib import Path

from apps.observability.multiproc import (
    multiproc_dir_setup,
    multiproc_dir_wipe,
    multiproc_mark_dead,
)

DEFAULT_DIR = Path(
    os.environ.get("ELECTROPLUZ_VAR_DIR", Path(__file__).resolve().parent.parent / "var")
) / "prometheus" / "web"  # fmt: skip


def metrics_dir_setup() -> Path:
    """Set PROMETHEUS_MULTIPROC_DIR (unless the environment did) before workers start."""
    return multiproc_dir_setup(DEFAULT_DIR)


def on_starting(server) -> None:
    multiproc_dir_wipe()


def child_exit(server, worker) -> None:
    multiproc_mark_dead(worker.pid)
