"""API authentication: the browser session (with CSRF) or a personal API token.

A request authenticates with either

- ``Authorization: Bearer <token>``: a personal API token (created on the account
  page or with ``manage.py create_api_token``). A "read" token may only use safe
  methods (GET, HEAD, OPTIONS); anything that changes state needs a "write" token.
- the session cookie of the site's own pages; then unsafe methods need the CSRF
  token (``X-CSRFToken`` header), as on every form.

Routers use

- ``auth=session_auth`` for customer routes (session or token),
- ``auth=write_auth`` for an operation that must have a "write" token even when
  its method is safe,
- ``auth=manager_auth`` for manager routes (session or token of a user with the
  manager permission).

All answer 401 in the API's error shape when nobody is authenticated, and 403 when
the user lacks the manager role or the token lacks the scope. ``request.auth`` is
the signed-in ``User`` either way.
"""

import dataclasses
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from ninja.security import HttpBearer, SessionAuth

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_SCOPE = "write"


@dataclasses.dataclass
class _Wiring:
    """What this module needs from the apps, handed in by ``electropluz.api`` (the one
    place that assembles the API). The apps' routers import this module, so it imports
    no app itself: otherwise every router would reach accounts and core through it,
    which the app-boundary contract forbids."""

    token_owner: Callable[[str], Any] | None = (
        None  # token -> owner (user_id, scope, token_id) | None
    )
    token_used: Callable[[int], None] | None = None  # token_id -> None
    manager_permission: str = ""


_wiring = _Wiring()


def configure(
    *,
    token_owner: Callable[[str], Any],
    token_used: Callable[[int], None],
    manager_permission: str,
) -> None:
    _wiring.token_owner = token_owner
    _wiring.token_used = token_used
    _wiring.manager_permission = manager_permission


def _manager_permission() -> str:
    if not _wiring.manager_permission:
        raise ImproperlyConfigured("electropluz.auth.configure() has not been called")
    return _wiring.manager_permission


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <personal API token>``, checked by its SHA-256 in accounts."""

    def __init__(self, *, require_write: bool = False, require_manager: bool = False) -> None:
        self.require_write = require_write
        self.require_manager = require_manager
        super().__init__()

    def authenticate(self, request, token):
        if _wiring.token_owner is None or _wiring.token_used is None:
            raise ImproperlyConfigured("electropluz.auth.configure() has not been called")
        owner = _wiring.token_owner(token)
        if owner is None:
            return None
        user = get_user_model().objects.filter(pk=owner.user_id, is_active=True).first()
        if user is None:
            return None
        writes = self.require_write or request.method not in SAFE_METHODS
        if writes and owner.scope != WRITE_SCOPE:
            raise PermissionDenied
        if self.require_manager and not user.has_perm(_manager_permission()):
            raise PermissionDenied
        _wiring.token_used(owner.token_id)
        request.user = user
        request.api_token_scope = owner.scope
        return user


class CookieSessionAuth(SessionAuth):
    """The site's own session, with Django's CSRF check on unsafe methods.

    A request without a session cookie is simply not authenticated (401), rather
    than refused for a missing CSRF token.
    """

    def __init__(self, *, require_manager: bool = False) -> None:
        self.require_manager = require_manager
        super().__init__(csrf=True)

    def _get_key(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        if key is None:
            return None
        user = super().authenticate(request, key)
        if user is None:
            return None
        if self.require_manager and not user.has_perm(_manager_permission()):
            raise PermissionDenied
        return user


session_auth = [TokenAuth(), CookieSessionAuth()]
write_auth = [TokenAuth(require_write=True), CookieSessionAuth()]
manager_auth = [TokenAuth(require_manager=True), CookieSessionAuth(require_manager=True)]
