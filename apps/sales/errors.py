"""Sales' business errors: a stable code and a message a customer can read."""

from apps.core.errors import ApplicationError, ConflictError, InvalidInputError


class CheckoutError(InvalidInputError):
    code = "checkout_invalid"


class CartChangedError(ConflictError):
    code = "cart_changed"


class PaymentError(ApplicationError):
    code = "payment_declined"
    status = 402


class IllegalTransitionError(ConflictError):
    code = "illegal_transition"


class IdempotencyConflictError(ConflictError):
    code = "idempotency_in_progress"


class IdempotencyMismatchError(InvalidInputError):
    code = "idempotency_key_reused"
