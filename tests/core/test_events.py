"""The outbox: recorded with the transaction, delivered after commit, at least once."""

import dataclasses
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from apps.core import services as core_services
from apps.core.events import Event, subscribe
from apps.core.models import HandledEvent, OutboxMessage

pytestmark = pytest.mark.django_db

calls: list[tuple[str, str]] = []
failures_left = {"count": 0}


@dataclasses.dataclass(frozen=True, kw_only=True)
class WidgetShipped(Event):
    name = "tests.WidgetShipped"
    widget_id: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class WidgetLost(Event):
    name = "tests.WidgetLost"
    widget_id: int


@subscribe(WidgetShipped)
def record_shipment(event: WidgetShipped) -> None:
    calls.append(("record", event.event_id))


@subscribe(WidgetShipped)
def flaky_notifier(event: WidgetShipped) -> None:
    if failures_left["count"]:
        failures_left["count"] -= 1
        raise ConnectionError("mail server down")
    calls.append(("notify", event.event_id))


@pytest.fixture(autouse=True)
def _reset():
    calls.clear()
    failures_left["count"] = 0


def test_event_round_trips_through_its_payload():
    event = WidgetShipped(widget_id=7)
    payload = event.to_payload()
    assert payload["widget_id"] == 7 and payload["event_id"] == event.event_id
    from apps.core.events import event_from_payload

    assert event_from_payload("tests.WidgetShipped", payload) == event


def test_an_event_needs_a_stable_name():
    with pytest.raises(TypeError):

        @dataclasses.dataclass(frozen=True, kw_only=True)
        class Nameless(Event):
            pass


def test_event_is_delivered_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event = WidgetShipped(widget_id=1)
        core_services.event_publish(event)
        assert calls == [], "nothing may be delivered before the commit"

    assert sorted(calls) == [("notify", event.event_id), ("record", event.event_id)]
    message = OutboxMessage.objects.get(pk=event.event_id)
    assert message.status == OutboxMessage.Status.DELIVERED
    assert message.delivered_at is not None


def test_event_is_not_recorded_or_delivered_when_its_transaction_rolls_back(
    django_capture_on_commit_callbacks,
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        core_services.event_publish(WidgetShipped(widget_id=2))
        raise RuntimeError("the change failed")

    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert calls == []


def test_failed_handler_is_retried_with_backoff_and_the_others_do_not_run_again(
    django_capture_on_commit_callbacks,
):
    failures_left["count"] = 1
    with django_capture_on_commit_callbacks(execute=True):
        event = WidgetShipped(widget_id=3)
        core_services.event_publish(event)

    message = OutboxMessage.objects.get(pk=event.event_id)
    assert message.status == OutboxMessage.Status.PENDING
    assert message.attempts == 1
    assert "mail server down" in message.last_error
    assert message.next_attempt_at > timezone.now()
    assert calls == [("record", event.event_id)]

    # Not due yet: the sweep leaves it alone.
    assert core_services.outbox_sweep() == 0
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())

    assert core_services.outbox_sweep() == 1
    assert calls == [("record", event.event_id), ("notify", event.event_id)]
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DELIVERED


def test_delivering_the_same_message_three_times_has_one_effect():
    with transaction.atomic():
        event = WidgetShipped(widget_id=4)
        core_services.event_publish(event)
    # An at-least-once transport may hand the same message over again.
    OutboxMessage.objects.filter(pk=event.event_id).update(status=OutboxMessage.Status.PENDING)
    for _ in range(3):
        core_services.outbox_deliver(message_id=event.event_id)
        OutboxMessage.objects.filter(pk=event.event_id).update(status=OutboxMessage.Status.PENDING)
    assert sorted(calls) == [("notify", event.event_id), ("record", event.event_id)]
    assert HandledEvent.objects.filter(event_id=event.event_id).count() == 2


def test_a_message_leased_by_another_worker_is_left_alone():
    core_services.event_publish(WidgetLost(widget_id=5))
    message = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.PENDING, locked_until=timezone.now() + timedelta(minutes=1)
    )
    assert core_services.outbox_deliver(message_id=str(message.pk)) is False


def test_a_message_that_keeps_failing_ends_dead_for_an_operator():
    failures_left["count"] = 10_000
    event = WidgetShipped(widget_id=6)
    core_services.event_publish(event)
    for _ in range(core_services.MAX_ATTEMPTS):
        OutboxMessage.objects.filter(pk=event.event_id).update(next_attempt_at=timezone.now())
        core_services.outbox_sweep()
    message = OutboxMessage.objects.get(pk=event.event_id)
    assert message.status == OutboxMessage.Status.DEAD
    assert message.attempts == core_services.MAX_ATTEMPTS


def test_sweep_purges_old_delivered_messages():
    event = WidgetLost(widget_id=8)
    core_services.event_publish(event)
    OutboxMessage.objects.filter(pk=event.event_id).update(
        status=OutboxMessage.Status.DELIVERED, delivered_at=timezone.now() - timedelta(days=30)
    )
    core_services.outbox_sweep()
    assert not OutboxMessage.objects.filter(pk=event.event_id).exists()
