"""One JSON line per request, the request id, and the per-minute rollup of the system page."""

import logging
import time

from django.utils.functional import empty

from . import context, logs, metrics, rollup

logger = logging.getLogger("electropluz.requests")

REQUEST_ID_HEADER = "X-Request-ID"


def _user_id(request) -> int | None:
    """The signed-in user, if the request already looked (never an extra query for it)."""
    user = request.__dict__.get("user")
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is not None and wrapped is not empty and getattr(wrapped, "is_authenticated", False):
        return wrapped.pk
    auth = getattr(request, "auth", None)  # the API's bearer token resolves to the user
    return getattr(auth, "pk", None) if getattr(auth, "is_authenticated", False) else None


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else ""


class RequestLogMiddleware:
    """Gives each request an id (kept from the proxy's X-Request-ID when it looks like one),
    answers it in ``X-Request-ID``, and writes the request's line when it is done."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = context.request_id_new(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        token = context.request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration = time.perf_counter() - started
            response[REQUEST_ID_HEADER] = request_id
            self._record(request, response.status_code, duration)
            return response
        finally:
            context.request_id_var.reset(token)

    def _record(self, request, status: int, duration: float) -> None:
        session = getattr(request, "session", None)
        line = {
            "event": "request",
            "method": request.method,
            "path": logs.path_loggable(request),
            "route": _route(request),
            "status": status,
            "duration_ms": round(duration * 1000, 2),
            "user_id": _user_id(request),
            "session": logs.session_hash(getattr(session, "session_key", None)),
            "referrer": logs.referrer_clean(request.META.get("HTTP_REFERER", "")),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:400],
        }
        logger.info("request", extra=line)
        rollup.request_observe(path=request.path, status=status, duration=duration)
        metrics.process_memory_observe(role="web")
