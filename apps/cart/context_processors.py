from .session import COUNT_KEY


def cart_badge(request):
    session = getattr(request, "session", None)
    return {"cart_count": session.get(COUNT_KEY, 0) if session is not None else 0}
