"""The cart follows the customer: on sign-in, the anonymous session's cart merges into theirs."""

from apps.accounts.events import UserSignedIn
from apps.core.events import subscribe

from . import services


@subscribe(UserSignedIn)
def merge_anonymous_cart(event: UserSignedIn) -> None:
    services.cart_merge(user_id=event.user_id, session_key=event.session_key_before)
