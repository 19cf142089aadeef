"""Gateway doubles for the refund tests: the payment gateway is outside the process."""

from django.db import connection

from apps.sales.payments import SandboxProvider


class RecordingProvider(SandboxProvider):
    """The sandbox, remembering whether each refund was asked inside a transaction."""

    refunds_inside_transaction: list[bool] = []

    def refund(self, *, reference, amount, idempotency_key):
        type(self).refunds_inside_transaction.append(connection.in_atomic_block)
        return super().refund(reference=reference, amount=amount, idempotency_key=idempotency_key)


class FailingRefundProvider(SandboxProvider):
    """A gateway that takes charges but is down for refunds."""

    def refund(self, *, reference, amount, idempotency_key):
        raise ConnectionError("gateway unavailable")


class SlowChargeProvider(SandboxProvider):
    """A charge so slow that the unpaid-order expiry runs before the gateway answers."""

    def charge(self, *, token, amount, reference, idempotency_key):
        from datetime import timedelta

        from apps.sales import services

        services.order_expire_unpaid(older_than=timedelta(0))
        return super().charge(
            token=token, amount=amount, reference=reference, idempotency_key=idempotency_key
        )
