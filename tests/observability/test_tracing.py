"""Tracing: off by default; on, a checkout is one trace from the request to its tasks."""

import json
import threading

import pytest
from celery import current_app, shared_task
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection, connections
from django.test import Client
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from apps.observability import tracing
from tests.sales.factories import APPROVED, make_shopper, make_variant, user

DJANGO_MIDDLEWARE = "opentelemetry.instrumentation.django.middleware.otel_middleware"


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    tracing.tracing_configure(exporter=exporter, batch=False)
    yield exporter
    tracing.tracing_shutdown()
    assert not any("opentelemetry" in name for name in settings.MIDDLEWARE)


def test_tracing_is_off_without_an_endpoint():
    assert settings.OTEL_EXPORTER_OTLP_ENDPOINT == ""
    assert tracing._provider is None
    assert not any("opentelemetry" in name for name in settings.MIDDLEWARE)


def _ancestors(span, by_id):
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        yield span


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_checkout_is_one_trace_spanning_the_request_and_its_tasks(spans):
    """Committed for real: the outbox hands its message to Celery inside the request. Tasks
    run eagerly here (in the request's thread), so the task spans are children of the
    request's span; through a broker the trace travels in the message (next test)."""
    shopper = make_shopper()
    shopper.add(make_variant(price="25.00", stock=3), 1)
    client = Client()
    client.force_login(user(shopper.customer_id))
    # In production tracing starts before the first connection; here the test database
    # was opened first, so open a new (instrumented) connection.
    connections.close_all()
    spans.clear()
    body = {
        "shipping_address": {
            "full_name": "Ana Martín",
            "line1": "Calle Mayor 1",
            "postal_code": "28013",
            "city": "Madrid",
        },
        "payment_method": "card",
        "card": {"number": APPROVED.number, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
    }
    response = client.post("/api/v1/checkout", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content

    finished = spans.get_finished_spans()
    [request_span] = [s for s in finished if s.kind == SpanKind.SERVER]
    attributes = request_span.attributes  # old or new semantic conventions
    assert attributes.get("http.request.method", attributes.get("http.method")) == "POST"
    assert attributes.get("http.response.status_code", attributes.get("http.status_code")) == 201
    task_spans = [s for s in finished if s.name.startswith("run/")]
    assert "run/core.outbox_deliver" in {s.name for s in task_spans}
    assert {s.context.trace_id for s in finished} == {request_span.context.trace_id}
    by_id = {s.context.span_id: s for s in finished}
    for task_span in task_spans:
        assert request_span in list(_ancestors(task_span, by_id)), task_span.name
    if connection.vendor == "postgresql":  # psycopg's spans, inside the same trace
        queries = [
            s for s in finished if s.kind == SpanKind.CLIENT and "db.system" in str(s.attributes)
        ]
        assert queries and all(request_span in list(_ancestors(q, by_id)) for q in queries)


_worker_trace: dict[str, int] = {}


@shared_task(name="tests.observability.traced")
def _traced():
    from opentelemetry import trace

    _worker_trace["trace_id"] = trace.get_current_span().get_span_context().trace_id


def test_through_a_broker_the_trace_travels_in_the_message(spans):
    from opentelemetry import trace

    app = current_app
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            tracer = tracing._provider.get_tracer("tests")
            with tracer.start_as_current_span("a request") as parent:
                _traced.apply_async()
                expected = parent.get_span_context().trace_id
            for _ in range(200):
                if "trace_id" in _worker_trace:
                    break
                threading.Event().wait(0.05)
    finally:
        app.conf.task_always_eager = True
    assert _worker_trace.get("trace_id") == expected
    names = {s.name for s in spans.get_finished_spans() if s.context.trace_id == expected}
    assert {
        "a request",
        "apply_async/tests.observability.traced",
        "run/tests.observability.traced",
    } <= names
    assert trace.get_tracer_provider() is not None
