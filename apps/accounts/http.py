"""Small request helpers shared by accounts' entry points (views, handlers, axes settings)."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as the web server saw it (nginx sets REMOTE_ADDR from the peer)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def client_user_agent(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return request.META.get("HTTP_USER_AGENT", "")


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
