"""The coupons app's errors. Other apps catch them as ``apps.coupons.services.<Name>``."""

from django.utils.translation import gettext_lazy as _

from apps.core.errors import ApplicationError, InvalidInputError

# Refusals that depend on what other checkouts did (the limits) are conflicts;
# the rest say the coupon does not fit this cart.
_CONFLICT_CODES = frozenset({"coupon_exhausted", "coupon_already_used"})


class CouponNotApplicableError(ApplicationError):
    """The coupon cannot be used here; ``code`` says why, ``message`` tells the customer.

    Codes: coupon_unknown, coupon_inactive, coupon_not_started, coupon_expired,
    coupon_requires_account, coupon_first_order_only, coupon_exhausted,
    coupon_already_used, coupon_not_applicable, coupon_minimum_not_reached.
    """

    code = "coupon_not_applicable"
    status = 422
    default_message = _("El cupón no se puede aplicar a este pedido.")

    def __init__(self, message=None, *, code=None, details=None):
        super().__init__(message, code=code, details=details)
        self.status = 409 if self.code in _CONFLICT_CODES else 422


class CouponValidationError(InvalidInputError):
    """A manager's coupon data is wrong; ``details`` names the field ({field: reason})."""

    code = "invalid"
