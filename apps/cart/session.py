"""Which cart a request is using: the customer's, or the anonymous session's."""

from . import selectors, services

ANON_KEY = "cart_anon_key"  # the session key the anonymous cart was created under
COUNT_KEY = "cart_count"  # the header badge, kept in the session to spare a query per page


def current_cart_id(request, *, create: bool = False) -> int | None:
    user_id = request.user.pk if request.user.is_authenticated else None
    if user_id:
        anon_key = request.session.pop(ANON_KEY, None)
        if anon_key:
            # Signed in since the anonymous cart was made: merge now (the sign-in event
            # does the same, idempotently, if this request comes first).
            services.cart_merge(user_id=user_id, session_key=anon_key)
        if create:
            return services.cart_open(user_id=user_id)
        return selectors.cart_find(user_id=user_id)
    anon_key = request.session.get(ANON_KEY)
    if anon_key:
        cart_id = selectors.cart_find(session_key=anon_key)
        if cart_id or not create:
            return cart_id
    if not create:
        return None
    if not request.session.session_key:
        request.session.save()
    request.session[ANON_KEY] = request.session.session_key
    return services.cart_open(session_key=request.session.session_key)


def remember_count(request, cart_id: int | None, *, count: int | None = None) -> int:
    """Keep the header badge true; pass ``count`` when it is already known."""
    if count is None:
        count = selectors.cart_item_count(cart_id=cart_id)
    if request.session.get(COUNT_KEY) != count:
        request.session[COUNT_KEY] = count
    return count
