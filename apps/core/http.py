"""Small request helpers any entry point may use."""

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
