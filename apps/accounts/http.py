"""Small request helpers shared by accounts' entry points (views, handlers, axes settings)."""

from django.conf import settings
from django.http import HttpRequest

from apps.core.http import client_ip, client_user_agent

__all__ = ["axes_username", "client_ip", "client_user_agent", "session_cookie"]


def session_cookie(request: HttpRequest | None) -> str:
    """The session key the browser came with (before sign-in rotates it)."""
    if request is None:
        return ""
    return request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The account name django-axes counts failures against: the e-mail, lower-cased,
    so ``ANA@example.com`` and ``ana@example.com`` share one counter."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username", "")
    return str(username or "").strip().lower()
