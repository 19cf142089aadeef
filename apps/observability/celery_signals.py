"""Celery signal handlers: task counts, failures and durations; the request id a task
inherits from the request that caused it; the worker's own /metrics endpoint.

Connected once from ``ObservabilityConfig.ready`` in every process (web and worker).
"""

import logging
import os
import time

from celery import signals
from django.conf import settings

from . import context, metrics, multiproc

logger = logging.getLogger("electropluz.tasks")

REQUEST_ID_HEADER = "electropluz_request_id"
_OUTCOMES = {"SUCCESS": "succeeded", "FAILURE": "failed", "RETRY": "retried"}
_started: dict[str, tuple[float, object]] = {}


def _before_publish(sender=None, headers=None, **kwargs):
    """The request (or task) that sends a task hands it its request id in a header."""
    request_id = context.current_request_id()
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


def _request_id_of(task) -> str | None:
    request = getattr(task, "request", None)
    from_header = getattr(request, REQUEST_ID_HEADER, None)
    if from_header is None:
        from_header = (getattr(request, "headers", None) or {}).get(REQUEST_ID_HEADER)
    # An eager task runs inside the request: it keeps the request's id.
    return from_header or context.current_request_id()


def _prerun(task_id=None, task=None, **kwargs):
    request_token = context.request_id_var.set(_request_id_of(task))
    task_token = context.task_id_var.set(task_id)
    _started[task_id] = (time.perf_counter(), (request_token, task_token))


def _postrun(task_id=None, task=None, state=None, **kwargs):
    if task_id not in _started:  # already finished (an eager failure, below)
        return
    started, tokens = _started.pop(task_id)
    duration = time.perf_counter() - started if started is not None else 0.0
    name = getattr(task, "name", "unknown")
    # An eager task whose error propagates to the caller ends with no state: it failed.
    outcome = _OUTCOMES.get(state or "FAILURE", str(state).lower())
    metrics.TASKS.labels(task=name, outcome=outcome).inc()
    metrics.TASK_DURATION.labels(task=name).observe(duration)
    metrics.process_memory_observe(role="worker")
    logger.info(
        "task",
        extra={
            "event": "task",
            "task": name,
            "task_id": task_id,
            "outcome": outcome,
            "duration_ms": round(duration * 1000, 2),
        },
    )
    if tokens is not None:
        request_token, task_token = tokens
        context.task_id_var.reset(task_token)
        context.request_id_var.reset(request_token)


def _internal_error(sender=None, task_id=None, **kwargs):
    """An eager task whose error propagates into the caller skips task_postrun: finish here."""
    _postrun(task_id=task_id, task=sender, state="FAILURE")


def _worker_init(**kwargs):
    """The worker's main process, before its pool starts: a clean multiprocess directory."""
    multiproc.multiproc_dir_wipe()


def _worker_ready(**kwargs):
    """Serve the worker's counters (all its pool processes) when CELERY_METRICS_PORT is set."""
    port = settings.CELERY_METRICS_PORT
    if not port:
        return
    from prometheus_client import start_http_server

    start_http_server(
        port, addr=settings.CELERY_METRICS_ADDRESS, registry=metrics.process_registry()
    )
    logger.info("worker metrics on %s:%s", settings.CELERY_METRICS_ADDRESS, port)


def _worker_process_shutdown(pid=None, **kwargs):
    multiproc.multiproc_mark_dead(pid or os.getpid())


def connect() -> None:
    signals.before_task_publish.connect(_before_publish, weak=False)
    signals.task_prerun.connect(_prerun, weak=False)
    signals.task_postrun.connect(_postrun, weak=False)
    signals.task_internal_error.connect(_internal_error, weak=False)
    signals.worker_init.connect(_worker_init, weak=False)
    signals.worker_ready.connect(_worker_ready, weak=False)
    signals.worker_process_shutdown.connect(_worker_process_shutdown, weak=False)
