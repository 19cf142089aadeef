"""Who keeps what about a person: each app registers a reader of its own data about a user.

The "Mis datos" download (accounts) must hold everything the shop keeps about the
person, but accounts sits below the apps that keep orders, carts and coupon uses and
may not import them. So each of those apps registers, in its ``AppConfig.ready()``, a
selector that returns its part as JSON-safe values; accounts collects them all. The
dependency points the usual way (every app -> core), as with the event bus.
"""

from collections.abc import Callable
from typing import Any

PersonalDataReader = Callable[..., Any]  # reader(user_id=...) -> JSON-safe value

_READERS: dict[str, PersonalDataReader] = {}


def personal_data_register(section: str, reader: PersonalDataReader) -> None:
    """Add ``section`` to every person's data export, read by ``reader(user_id=...)``."""
    if section in _READERS and _READERS[section] is not reader:
        raise ValueError(f"personal data section {section!r} is already registered")
    _READERS[section] = reader


def personal_data_collect(*, user_id: int) -> dict[str, Any]:
    """Every registered section for this user, by section name (in a stable order)."""
    return {section: _READERS[section](user_id=user_id) for section in sorted(_READERS)}
