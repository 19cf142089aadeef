"""Which cart a request is using: the customer's, or the anonymous session's.

The header badge reads the cart's item count from the cache (``badge_count``),
keyed by the cart id the session remembers; the cart services forget the cached
count whenever the cart changes (an order that empties it included).
"""

from django.core.cache import cache

from . import selectors, services

ANON_KEY = "cart_anon_key"  # the session key the anonymous cart was created under
CART_KEY = "cart_id"  # the cart this session last used, for the badge
BADGE_TTL = 60  # seconds; bounds staleness where the cache is per process (local memory)


def current_cart_id(request, *, create: bool = False) -> int | None:
    cart_id = _resolve(request, create=create)
    if request.session.get(CART_KEY) != cart_id:
        request.session[CART_KEY] = cart_id
    return cart_id


def _resolve(request, *, create: bool) -> int | None:
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


def badge_count(request) -> int:
    session = getattr(request, "session", None)
    cart_id = session.get(CART_KEY) if session is not None else None
    if not cart_id:
        return 0
    return cache.get_or_set(
        services.badge_cache_key(cart_id),
        lambda: selectors.cart_item_count(cart_id=cart_id),
        BADGE_TTL,
    )
