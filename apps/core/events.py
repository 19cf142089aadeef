"""The event bus's vocabulary: the base of every event and the handler registry.

An app's ``events.py`` declares what it publishes as frozen dataclasses named in
the past tense, each with a stable ``name``. Payload fields are JSON-safe
values (str, int, bool, lists and dicts of them; money as a str). Other apps
subscribe with ``@subscribe(EventClass)`` in their ``handlers.py``.

Publishing (``apps.core.services.event_publish``) writes the event into the
outbox inside the caller's transaction; delivery after commit is at least once,
so handlers must be idempotent. The bus itself records which handler has seen
which ``event_id``, so a handler whose work is all in the database runs once.
"""

import dataclasses
import uuid
from collections.abc import Callable
from typing import Any, ClassVar

from django.utils import timezone

_EVENT_TYPES: dict[str, type["Event"]] = {}
_HANDLERS: dict[str, dict[str, Callable[["Event"], None]]] = {}


def _new_id() -> str:
    return str(uuid.uuid4())


def _now() -> str:
    return timezone.now().isoformat()


@dataclasses.dataclass(frozen=True, kw_only=True)
class Event:
    name: ClassVar[str] = ""
    event_id: str = dataclasses.field(default_factory=_new_id)
    occurred_at: str = dataclasses.field(default_factory=_now)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("name"):
            raise TypeError(f"{cls.__qualname__} must set a stable class attribute `name`")
        if cls.name in _EVENT_TYPES and _EVENT_TYPES[cls.name].__qualname__ != cls.__qualname__:
            raise TypeError(f"event name {cls.name!r} is already taken")
        _EVENT_TYPES[cls.name] = cls

    def to_payload(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def event_from_payload(name: str, payload: dict[str, Any]) -> Event:
    try:
        event_type = _EVENT_TYPES[name]
    except KeyError:
        raise LookupError(f"unknown event type {name!r}") from None
    return event_type(**payload)


def subscribe(event_type: type[Event]) -> Callable:
    """Register a handler for an event type, by its dotted name."""

    def decorator(handler: Callable[[Event], None]) -> Callable[[Event], None]:
        handler_name = f"{handler.__module__}.{handler.__qualname__}"
        _HANDLERS.setdefault(event_type.name, {})[handler_name] = handler
        return handler

    return decorator


def handlers_for(name: str) -> dict[str, Callable[[Event], None]]:
    return dict(_HANDLERS.get(name, {}))
