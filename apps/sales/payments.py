"""Card payments through a provider. ``SHOP_PAYMENT_PROVIDER`` names the class to use.

A provider tokenises the card the moment it arrives (only the token, the brand
and the last four digits ever reach the database or a log) and charges or
refunds by token. Every charge and refund carries an idempotency key: the same
key never moves money twice, and ``charge_status(idempotency_key=...)`` tells
what became of a charge whose answer was lost. ``SandboxProvider`` behaves like
a real gateway with test card numbers:

    4242 4242 4242 4242   approved
    4000 0000 0000 0002   declined
    4000 0000 0000 9995   insufficient funds
    4000 0000 0000 0119   the gateway times out (nothing is charged)
    4000 0000 0000 0259   charged, but the answer is lost (times out)

Any other number that passes the Luhn check is approved; one that does not is
refused as invalid before any charge.
"""

import dataclasses
import hashlib
import hmac
import secrets
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .models import SandboxOperation


class CardInvalid(Exception):
    """The card data is wrong (number, expiry, CVC): nothing was charged."""


class GatewayTimeout(Exception):
    """The provider did not answer in time: the outcome of the charge is unknown."""


class GatewayError(Exception):
    """The provider refused the request itself (for example a key reused for another amount)."""


@dataclasses.dataclass(frozen=True)
class CardToken:
    token: str
    brand: str
    last4: str


@dataclasses.dataclass(frozen=True)
class ChargeResult:
    approved: bool
    reference: str = ""
    code: str = ""  # "declined", "insufficient_funds" when not approved
    message: str = ""


DECLINE_MESSAGES = {
    "declined": _("Su banco ha rechazado el pago. Pruebe con otra tarjeta u otra forma de pago."),
    "insufficient_funds": _("La tarjeta no tiene saldo suficiente. Pruebe con otra tarjeta."),
    "timeout": _(
        "La pasarela de pago no ha respondido. No se ha realizado ningún cargo; inténtelo de nuevo."
    ),
}


def _luhn_ok(number: str) -> bool:
    total = 0
    for index, digit in enumerate(reversed(number)):
        value = int(digit)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _brand(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"51", "52", "53", "54", "55"} or "2221" <= number[:4] <= "2720":
        return "mastercard"
    if number[:2] in {"34", "37"}:
        return "amex"
    return "card"


class SandboxProvider:
    name = "sandbox"

    _OUTCOMES = {
        "4000000000000002": "declined",
        "4000000000009995": "insufficient_funds",
        "4000000000000119": "timeout",
        "4000000000000259": "lost",
    }

    def tokenize(self, *, number: str, exp_month: int, exp_year: int, cvc: str) -> CardToken:
        digits = "".join(ch for ch in str(number) if ch.isdigit())
        if not 12 <= len(digits) <= 19 or not _luhn_ok(digits):
            raise CardInvalid(_("El número de tarjeta no es válido."))
        try:
            month, year = int(exp_month), int(exp_year)
        except (TypeError, ValueError):
            raise CardInvalid(_("La fecha de caducidad no es válida.")) from None
        year = year + 2000 if year < 100 else year
        today = timezone.localdate()  # the shop's day, not the server's
        if (
            not 1 <= month <= 12
            or (year, month) < (today.year, today.month)
            or year > today.year + 20
        ):
            raise CardInvalid(_("La tarjeta está caducada o la fecha no es válida."))
        if not (str(cvc).isdigit() and len(str(cvc)) in (3, 4)):
            raise CardInvalid(_("El código de seguridad (CVC) no es válido."))
        # The token says which test outcome it carries, never the number itself.
        outcome = self._OUTCOMES.get(digits, "ok")
        secret = hmac.new(
            settings.SECRET_KEY.encode(), digits.encode(), hashlib.sha256
        ).hexdigest()[:12]
        return CardToken(
            token=f"tok-{outcome}-{secret}{secrets.token_hex(4)}",
            brand=_brand(digits),
            last4=digits[-4:],
        )

    def charge(
        self, *, token: str, amount: Decimal, reference: str, idempotency_key: str
    ) -> ChargeResult:
        """Charge ``amount`` to the card. The same ``idempotency_key`` answers the first
        outcome again and never charges twice, as a real gateway does."""
        outcome = token.split("-")[1] if token.startswith("tok-") else "declined"
        if outcome == "timeout":
            raise GatewayTimeout(reference)
        approved = outcome not in ("declined", "insufficient_funds")
        operation = self._remember(
            kind=SandboxOperation.Kind.CHARGE,
            idempotency_key=idempotency_key,
            amount=amount,
            approved=approved,
            code="" if approved else outcome,
            reference=f"ch_{secrets.token_hex(8)}" if approved else "",
        )
        if outcome == "lost":
            raise GatewayTimeout(reference)  # charged, but the answer never arrives
        return self._result(operation)

    def charge_status(self, *, idempotency_key: str) -> ChargeResult | None:
        """What became of the charge made with this key; None when no charge was made."""
        operation = SandboxOperation.objects.filter(
            kind=SandboxOperation.Kind.CHARGE, idempotency_key=idempotency_key
        ).first()
        return None if operation is None else self._result(operation)

    def refund(self, *, reference: str, amount: Decimal, idempotency_key: str) -> str:
        """Give ``amount`` back on charge ``reference``. The same key never refunds twice."""
        digest = hashlib.sha256(f"{reference}:{idempotency_key}".encode()).hexdigest()[:16]
        operation = self._remember(
            kind=SandboxOperation.Kind.REFUND,
            idempotency_key=idempotency_key,
            amount=amount,
            approved=True,
            code="",
            reference=f"re_{digest}",
        )
        return operation.reference

    @staticmethod
    def _remember(*, idempotency_key: str, amount: Decimal, **fields) -> SandboxOperation:
        try:
            with transaction.atomic():
                return SandboxOperation.objects.create(
                    idempotency_key=idempotency_key, amount=amount, **fields
                )
        except IntegrityError:
            operation = SandboxOperation.objects.get(idempotency_key=idempotency_key)
        if operation.amount != amount or operation.kind != fields["kind"]:
            raise GatewayError(f"idempotency key {idempotency_key} reused for another request")
        return operation

    @staticmethod
    def _result(operation: SandboxOperation) -> ChargeResult:
        if operation.approved:
            return ChargeResult(approved=True, reference=operation.reference)
        return ChargeResult(
            approved=False, code=operation.code, message=str(DECLINE_MESSAGES[operation.code])
        )


@cache
def provider():
    return import_string(settings.SHOP_PAYMENT_PROVIDER)()
