"""API authentication: the browser session (with CSRF) or a personal API token.

A request authenticates with either

- ``Authorization: Bearer <token>``: a personal API token (created on the account
  page or with ``manage.py create_api_token``). A "read" token may only use safe
  methods (GET, HEAD, OPTIONS); anything that changes state needs a "write" token.
- the session cookie of the site's own pages; then unsafe methods need the CSRF
  token (``X-CSRFToken`` header), as on every form.

The apps' routers declare no authentication: ``electropluz.api`` mounts each app's
customer router with ``session_auth`` (session or token) and its manager router with
``manager_auth`` (session or token of a user with the manager permission), so the
dependency points from the project into the apps, never back.

All answer 401 in the API's error shape when nobody is authenticated, and 403 when
the user lacks the manager role or the token lacks the scope. ``request.auth`` is
the signed-in ``User`` either way.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from ninja.security import HttpBearer, SessionAuth

from apps.accounts import selectors as accounts_selectors
from apps.accounts import services as accounts_services
from apps.core.permissions import DASHBOARD_PERMISSION

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_SCOPE = "write"


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <personal API token>``, checked by its SHA-256 in accounts."""

    def __init__(self, *, require_write: bool = False, require_manager: bool = False) -> None:
        self.require_write = require_write
        self.require_manager = require_manager
        super().__init__()

    def authenticate(self, request, token):
        owner = accounts_selectors.api_token_find(token=token)
        if owner is None:
            return None
        user = get_user_model().objects.filter(pk=owner.user_id, is_active=True).first()
        if user is None:
            return None
        writes = self.require_write or request.method not in SAFE_METHODS
        if writes and owner.scope != WRITE_SCOPE:
            raise PermissionDenied
        if self.require_manager and not user.has_perm(DASHBOARD_PERMISSION):
            raise PermissionDenied
        accounts_services.api_token_mark_used(token_id=owner.token_id)
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
        if self.require_manager and not user.has_perm(DASHBOARD_PERMISSION):
            raise PermissionDenied
        return user


session_auth = [TokenAuth(), CookieSessionAuth()]
manager_auth = [TokenAuth(require_manager=True), CookieSessionAuth(require_manager=True)]
