import json
import logging
import subprocess
import sys
import threading

import pytest
from celery import current_app, shared_task
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.test import Client

from apps.observability import celery_signals, context
from tests.sales.factories import APPROVED, make_shopper, make_variant, user

pytestmark = pytest.mark.django_db


class _Lines(logging.Handler):
    """Records what the configured JSON formatter writes, line by line."""

    def __init__(self, formatter):
        super().__init__()
        self.setFormatter(formatter)
        self.lines: list[dict] = []

    def emit(self, record):
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def json_lines():
    """Every JSON line written by the request logger and the root logger during the test."""
    request_logger = logging.getLogger("electropluz.requests")
    formatter = request_logger.handlers[0].formatter
    capture = _Lines(formatter)
    for flt in request_logger.handlers[0].filters:
        capture.addFilter(flt)
    root = logging.getLogger()
    request_logger.addHandler(capture)
    root.addHandler(capture)
    yield capture.lines
    request_logger.removeHandler(capture)
    root.removeHandler(capture)


def _requests(lines):
    return [line for line in lines if line.get("event") == "request"]


def test_one_json_line_per_request_with_what_the_etl_reads(json_lines):
    shopper = make_shopper()
    client = Client()
    client.force_login(user(shopper.customer_id))
    response = client.get(
        "/cuenta/",
        HTTP_REFERER="https://buscador.example/busca?q=ana%40example.com",
        HTTP_USER_AGENT="Navegador/1.0",
    )
    assert response.status_code == 200
    [line] = _requests(json_lines)
    assert line["request_id"] == response["X-Request-ID"]
    assert line["time"].endswith("+00:00") and "T" in line["time"]
    assert line["method"] == "GET" and line["path"] == "/cuenta/"
    assert line["route"] == "accounts:profile" and line["status"] == 200
    assert line["duration_ms"] > 0
    assert line["user_id"] == shopper.customer_id
    assert line["referrer"] == "https://buscador.example/busca"  # no query string
    assert line["user_agent"] == "Navegador/1.0"
    session_key = client.session.session_key
    assert line["session"] and len(line["session"]) == 32
    assert session_key not in json.dumps(line)
    assert shopper.email not in json.dumps(line)


def test_the_same_session_gets_the_same_pseudonym(json_lines):
    client = Client()
    client.force_login(user(make_shopper().customer_id))
    client.get("/cuenta/")
    client.get("/cuenta/direcciones/")
    first, second = _requests(json_lines)
    assert first["session"] == second["session"]
    assert first["request_id"] != second["request_id"]


def test_a_reset_link_is_logged_as_its_route_not_its_token(json_lines):
    Client().get("/cuenta/recuperar/MQ/abc123-secreto/")
    [line] = _requests(json_lines)
    assert "secreto" not in json.dumps(line)
    assert line["path"] == "/cuenta/recuperar/<uidb64>/<token>/"


def test_a_proxy_request_id_is_kept_and_junk_is_replaced(json_lines):
    kept = Client().get("/healthz", HTTP_X_REQUEST_ID="nginx-0123456789abcdef")
    assert kept["X-Request-ID"] == "nginx-0123456789abcdef"
    replaced = Client().get("/healthz", HTTP_X_REQUEST_ID='"}\n{"level": "forged"')
    assert replaced["X-Request-ID"] != '"}\n{"level": "forged"'
    assert [line["request_id"] for line in _requests(json_lines)] == [
        kept["X-Request-ID"],
        replaced["X-Request-ID"],
    ]


def test_the_lines_are_written_to_requests_log():
    response = Client().get("/healthz")
    lines = (settings.LOG_DIR / "requests.log").read_text(encoding="utf-8").splitlines()
    written = [json.loads(text) for text in lines[-50:]]
    assert any(line["request_id"] == response["X-Request-ID"] for line in written)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_checkout_and_the_tasks_it_causes_share_one_request_id(json_lines):
    """Committed for real, as in production: the outbox hands its message to Celery
    inside the request, and the tasks log under the request's id."""
    shopper = make_shopper()
    shopper.add(make_variant(price="25.00", stock=3), 1)
    client = Client()
    client.force_login(user(shopper.customer_id))
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
    json_lines.clear()  # setting up published events of its own, outside any request
    response = client.post("/api/v1/checkout", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    request_id = response["X-Request-ID"]
    tasks = [line for line in json_lines if line.get("event") == "task"]
    assert tasks and {line["task"] for line in tasks} >= {"core.outbox_deliver"}
    assert {line["request_id"] for line in tasks} == {request_id}, tasks
    assert all(line["outcome"] == "succeeded" and line["task_id"] for line in tasks)
    [request_line] = _requests(json_lines)
    assert request_line["request_id"] == request_id
    assert request_line["user_id"] == shopper.customer_id


_seen_in_worker: dict[str, str | None] = {}


@shared_task(name="tests.observability.remember_request_id")
def _remember_request_id(key):
    _seen_in_worker[key] = context.current_request_id()
    logging.getLogger("tests.worker").info("inside the task")


def test_a_real_worker_gets_the_request_id_from_the_message_header():
    """Through a broker: the task runs in the worker's own thread, where only the
    message header can tell it which request sent it."""
    app = current_app
    app.conf.task_always_eager = False
    root_level = logging.getLogger().level
    try:
        with start_worker(
            app, pool="solo", loglevel="INFO", perform_ping_check=False, shutdown_timeout=20
        ):
            token = context.request_id_var.set("req-0123456789")
            try:
                result = _remember_request_id.apply_async(("a",))
            finally:
                context.request_id_var.reset(token)
            untagged = _remember_request_id.apply_async(("b",))
            done = threading.Event()
            for _ in range(200):
                if "a" in _seen_in_worker and "b" in _seen_in_worker:
                    done.set()
                    break
                threading.Event().wait(0.05)
            assert done.is_set(), "the worker did not run both tasks"
    finally:
        app.conf.task_always_eager = True
        logging.getLogger().setLevel(root_level)  # the worker configures logging anew
    assert result.id and untagged.id
    assert _seen_in_worker == {"a": "req-0123456789", "b": None}
    app_log = (settings.LOG_DIR / "app.log").read_text(encoding="utf-8").splitlines()
    lines = [json.loads(text) for text in app_log[-200:]]
    by_task = {line.get("task_id"): line for line in lines if line["message"] == "inside the task"}
    assert by_task[result.id]["request_id"] == "req-0123456789"
    assert by_task[untagged.id]["request_id"] is None
    assert celery_signals.REQUEST_ID_HEADER == "electropluz_request_id"


WRITER = """
import logging, sys
from concurrent_log_handler import ConcurrentRotatingFileHandler
handler = ConcurrentRotatingFileHandler(sys.argv[1], maxBytes=20000, backupCount=100)
log = logging.getLogger("w"); log.addHandler(handler); log.setLevel(logging.INFO)
for n in range(600):
    log.info("%s %05d %s", sys.argv[2], n, "x" * 60)
"""


def test_two_processes_rotating_one_file_lose_no_line(tmp_path):
    target = tmp_path / "requests.log"
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(target), name])  # noqa: S603
        for name in ("a", "b")
    ]
    for writer in writers:
        assert writer.wait(timeout=120) == 0
    files = list(tmp_path.glob("requests.log*"))
    assert len(files) > 3  # it did rotate, several times
    lines = [line for path in files for line in path.read_text().splitlines()]
    assert sorted(lines) == sorted(
        f"{name} {n:05d} {'x' * 60}" for name in ("a", "b") for n in range(600)
    )
