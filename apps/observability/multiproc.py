"""The multiprocess directory of prometheus_client, for servers that fork workers.

Imports nothing from prometheus_client at module level: the directory must be in the
environment before prometheus_client is first imported in a process that will fork,
or the forked workers keep per-process counters that reset and disagree.
"""

import os
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiproc_dir_setup(default: str | os.PathLike) -> Path:
    """Put the directory in the environment (unless set) and make it exist."""
    path = Path(os.environ.setdefault(ENV, str(default)))
    path.mkdir(parents=True, exist_ok=True)
    return path


def multiproc_dir_wipe() -> None:
    """Start clean: files left by a previous run would be added to this run's counts."""
    directory = os.environ.get(ENV)
    if not directory:
        return
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink(missing_ok=True)


def multiproc_mark_dead(pid: int) -> None:
    """A worker exited: drop its live gauges (its counters stay, so totals never go back)."""
    if os.environ.get(ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
