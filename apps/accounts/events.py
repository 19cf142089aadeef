"""What accounts publishes. Payloads are JSON-safe; other apps subscribe in their handlers."""

import dataclasses

from apps.core.events import Event


@dataclasses.dataclass(frozen=True, kw_only=True)
class UserSignedIn(Event):
    """A user signed in. ``session_key_before`` is the (now dead) anonymous session's key,
    so the cart can merge the cart it held."""

    name = "accounts.UserSignedIn"
    user_id: int
    session_key_before: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class UserErased(Event):
    """A user asked for their personal data to be erased: the account is deactivated and
    anonymised. Apps that keep records about the user (orders) anonymise their copies."""

    name = "accounts.UserErased"
    user_id: int
