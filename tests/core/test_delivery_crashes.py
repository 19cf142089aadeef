"""Prompt, single delivery: a crashed claim is retried within a minute, an e-mail is
recorded before it is sent and sent once, and a checkout never waits on the broker."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction

from apps.core import services as core_services
from apps.core.models import OutboxMessage, OutgoingMail
from tests.sales.factories import make_shopper, make_variant

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _queue(key="event-1:order_placed"):
    with transaction.atomic():
        core_services.mail_queue(key=key, to=["ana@example.com"], subject="Pedido", body="Hola")


def test_an_email_is_recorded_once_and_sent_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _queue()
        _queue()  # the handler ran again (its event was delivered twice)
    assert len(mail.outbox) == 1
    assert OutgoingMail.objects.get().status == "sent"
    assert core_services.mail_send(key="event-1:order_placed") is False
    assert core_services.mail_sweep() == 0 and len(mail.outbox) == 1


def test_a_resend_after_a_crash_between_sending_and_recording_is_the_same_message():
    _queue()
    assert core_services.mail_send(key="event-1:order_placed")
    # The process died after the server took the e-mail and before "sent" was written:
    OutgoingMail.objects.update(status="pending", locked_until=None)
    assert core_services.mail_sweep() == 1
    first, second = mail.outbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert first.extra_headers["Message-ID"] == OutgoingMail.objects.get().message_id


def test_a_mail_server_failure_is_retried_by_the_sweep(settings):
    _queue()
    settings.EMAIL_BACKEND = "tests.core.test_delivery_crashes.RefusingBackend"
    assert core_services.mail_send(key="event-1:order_placed") is False
    refused = OutgoingMail.objects.get()
    assert refused.status == "pending" and refused.attempts == 1 and "refused" in refused.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutgoingMail.objects.update(locked_until=None)  # its back-off ran out
    assert core_services.mail_sweep() == 1 and len(mail.outbox) == 1


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("refused")


def test_claims_last_at_most_half_a_minute():
    """The sweep runs every 30 s, so a crashed claim is retried within a minute."""
    assert settings.OUTBOX_LEASE_SECONDS <= 30


@pytest.mark.race
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_inside_delivery_is_delivered_again_and_mails_once(monkeypatch, tmp_path):
    monkeypatch.setattr(core_services, "_hand_to_worker", lambda task_name, message_id: None)
    shopper = make_shopper()
    shopper.add(make_variant(price="20.00", stock=3), 1)
    number = shopper.place(payment_method="transfer").number  # the broker was down
    message = OutboxMessage.objects.get(event_type="sales.OrderPlaced")

    marker = tmp_path / "sending"
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "electropluz.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "OUTBOX_LEASE_SECONDS": "2",
        "HANGING_MAIL_MARKER": str(marker),
    }
    script = (
        "import sys, django; django.setup()\n"
        "from django.conf import settings\n"
        "settings.EMAIL_BACKEND = 'tests.core.blocking_mail.HangingBackend'\n"
        "from apps.core import services\n"
        "services.outbox_deliver(message_id=sys.argv[1])\n"
    )
    worker = subprocess.Popen(  # noqa: S603 (this interpreter, a fixed script)
        [sys.executable, "-c", script, str(message.pk)], cwd=ROOT, env=env
    )
    try:
        for _ in range(600):
            if marker.exists() or worker.poll() is not None:
                break
            time.sleep(0.1)
        assert marker.exists(), "the worker never reached the mail server"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)

    message.refresh_from_db()
    assert message.status == "pending" and message.locked_until is not None
    recorded = OutgoingMail.objects.get()
    assert recorded.status == "pending" and number in recorded.subject
    time.sleep(2.5)  # the dead worker's lease runs out

    core_services.outbox_sweep()

    message.refresh_from_db()
    assert message.status == "delivered"
    assert len(mail.outbox) == 1 and number in mail.outbox[0].subject
    assert mail.outbox[0].extra_headers["Message-ID"] == recorded.message_id
    assert OutgoingMail.objects.get().status == "sent"
    core_services.outbox_sweep()
    assert len(mail.outbox) == 1


class CountingListener:
    """A 'broker' on loopback that takes each connection and hangs up at once."""

    def __init__(self):
        self.accepted = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self):
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()


@contextlib.contextmanager
def _broker(url: str):
    from celery import current_app

    saved = (current_app.conf.task_always_eager, current_app.conf.broker_url, current_app._pool)
    current_app.conf.task_always_eager = False
    current_app.conf.broker_url = url
    current_app._pool = None
    try:
        yield
    finally:
        if current_app._pool is not None:
            current_app._pool.force_close_all()
        current_app.conf.task_always_eager, current_app.conf.broker_url, current_app._pool = saved


@pytest.fixture
def broken_broker():
    listener = CountingListener()
    with _broker(f"amqp://guest:guest@127.0.0.1:{listener.port}//"):
        yield listener
    listener.close()


def test_a_publish_after_commit_reaches_a_real_broker():
    redis = pytest.importorskip("redis")
    client = redis.Redis(host="127.0.0.1", port=6379, db=15)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis server at 127.0.0.1:6379")
    client.delete("celery")
    with _broker("redis://127.0.0.1:6379/15"):
        core_services._hand_to_worker(core_services.DELIVER_TASK, "a-message-id")
    queued = [json.loads(m) for m in client.lrange("celery", 0, -1)]
    client.delete("celery")
    assert [m["headers"]["task"] for m in queued] == ["core.outbox_deliver"]
    assert queued[0]["headers"]["argsrepr"] == "('a-message-id',)"


def test_a_publish_after_commit_tries_the_broker_once_and_leaves_the_message(broken_broker):
    """With the broker refusing, the request does not retry: the sweep delivers later."""
    core_services._hand_to_worker(core_services.DELIVER_TASK, "a-message-id")
    assert broken_broker.accepted == 1


def test_a_checkout_succeeds_while_the_broker_is_down(
    broken_broker, django_capture_on_commit_callbacks
):
    shopper = make_shopper()
    shopper.add(make_variant(price="20.00", stock=3), 1)
    before = OutboxMessage.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        placed = shopper.place(payment_method="transfer")
    assert placed.status == "pending_payment"
    waiting = OutboxMessage.objects.filter(status="pending").count() - before
    assert waiting >= 1
    assert broken_broker.accepted == waiting  # one brief try each, then left to the sweep
