"""Sales' use cases that change state, each one transaction. The submodules are private
to the app; other apps (and entry points) use the names re-exported here.

They import each other one way: ``history`` ← ``refunds`` ← ``lifecycle`` ←
``payment`` ← ``checkout``; ``idempotency`` stands alone below ``checkout``; the order-history
import is ``order_import`` ← ``order_import_write`` ← ``order_import_file``.
"""

from ..errors import (
    CartChangedError,
    CheckoutError,
    IdempotencyConflictError,
    IdempotencyMismatchError,
    IllegalTransitionError,
    PaymentError,
)
from .checkout import (
    CardInput,
    CheckoutOutcome,
    PlacedOrder,
    ShippingAddress,
    order_checkout_resume,
    order_place,
    order_place_once,
)
from .history import CUSTOMER_CANCELLABLE, UNPAID_CARD_ORDER_TTL, allowed_transitions
from .idempotency import (
    IdempotencyClaim,
    idempotency_claim,
    idempotency_complete,
    idempotency_purge,
    idempotency_release,
    request_fingerprint,
)
from .lifecycle import order_cancel, order_transition, orders_anonymise
from .order_import import (
    STOCK_MODES,
    STOCK_MOVEMENTS,
    STOCK_UNTOUCHED,
    HistoryLine,
    HistoryOrder,
    HistoryRefund,
    OrderImportError,
    OrderImportReport,
    RowError,
)
from .order_import_file import order_history_import
from .order_import_write import order_history_load
from .payment import order_expire_unpaid
from .refunds import RefundLine, order_refund, refund_execute, refund_retry, refund_retry_pending

__all__ = [
    "CUSTOMER_CANCELLABLE",
    "STOCK_MODES",
    "STOCK_MOVEMENTS",
    "STOCK_UNTOUCHED",
    "UNPAID_CARD_ORDER_TTL",
    "CardInput",
    "CartChangedError",
    "CheckoutError",
    "CheckoutOutcome",
    "HistoryLine",
    "HistoryOrder",
    "HistoryRefund",
    "IdempotencyClaim",
    "IdempotencyConflictError",
    "IdempotencyMismatchError",
    "IllegalTransitionError",
    "OrderImportError",
    "OrderImportReport",
    "PaymentError",
    "PlacedOrder",
    "RefundLine",
    "RowError",
    "ShippingAddress",
    "allowed_transitions",
    "idempotency_claim",
    "idempotency_complete",
    "idempotency_purge",
    "idempotency_release",
    "order_cancel",
    "order_checkout_resume",
    "order_expire_unpaid",
    "order_history_import",
    "order_history_load",
    "order_place",
    "order_place_once",
    "order_refund",
    "order_transition",
    "orders_anonymise",
    "refund_execute",
    "refund_retry",
    "refund_retry_pending",
    "request_fingerprint",
]
