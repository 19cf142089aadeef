"""Accounts reads. Other apps get ids, plain values and dataclasses, never User instances."""

import dataclasses
import hashlib
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.contrib.auth.tokens import default_token_generator
from django.db.models import OuterRef, Subquery
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from apps.core.personal_data import personal_data_collect

from .errors import AddressNotFoundError, UserNotFoundError
from .models import ActivityLog, Address, ApiToken, User


@dataclasses.dataclass(frozen=True, kw_only=True)
class UserInfo:
    id: int
    email: str
    first_name: str
    last_name: str
    phone: str
    is_active: bool
    date_joined: datetime


@dataclasses.dataclass(frozen=True, kw_only=True)
class AddressInput:
    """A postal address: the one shape every app passes around (the address book, the
    checkout's shipping address, an order's snapshot)."""

    full_name: str
    line1: str
    postal_code: str
    city: str
    line2: str = ""
    province: str = ""
    country: str = "ES"
    phone: str = ""

    @classmethod
    def from_fields(cls, source) -> "AddressInput":
        """From anything with the same field names: an address-book entry, a form's data."""
        get = source.get if isinstance(source, dict) else lambda name: getattr(source, name)
        return cls(**{field.name: get(field.name) for field in dataclasses.fields(cls)})


@dataclasses.dataclass(frozen=True, kw_only=True)
class AddressInfo(AddressInput):
    """An address-book entry."""

    id: int
    user_id: int
    label: str
    is_default: bool


@dataclasses.dataclass(frozen=True, kw_only=True)
class ApiTokenInfo:
    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ApiTokenOwner:
    """Who a valid (unrevoked, active user) token belongs to, and what it may do."""

    token_id: int
    user_id: int
    scope: str
    last_used_at: datetime | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Activity:
    id: int
    kind: str
    at: datetime
    user_id: int | None
    ip: str | None
    user_agent: str
    reference: str
    detail: dict


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user_info(user: User) -> UserInfo:
    return UserInfo(
        id=user.pk,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        phone=user.phone,
        is_active=user.is_active,
        date_joined=user.date_joined,
    )


def _address_info(address: Address) -> AddressInfo:
    return AddressInfo(
        id=address.pk,
        user_id=address.user_id,
        label=address.label,
        full_name=address.full_name,
        line1=address.line1,
        line2=address.line2,
        postal_code=address.postal_code,
        city=address.city,
        province=address.province,
        country=address.country,
        phone=address.phone,
        is_default=address.is_default,
    )


def user_exists(*, email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()


def user_id_for_email(*, email: str) -> int | None:
    return User.objects.filter(email__iexact=email.strip()).values_list("pk", flat=True).first()


def user_get(*, user_id: int) -> UserInfo:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise UserNotFoundError
    return _user_info(user)


def address_list(*, user_id: int) -> list[AddressInfo]:
    return [_address_info(a) for a in Address.objects.filter(user_id=user_id)]


def address_get(*, user_id: int, address_id: int) -> AddressInfo:
    """One of the user's own addresses; another user's address does not exist for them."""
    address = Address.objects.filter(pk=address_id, user_id=user_id).first()
    if address is None:
        raise AddressNotFoundError
    return _address_info(address)


def address_default(*, user_id: int) -> AddressInfo | None:
    address = Address.objects.filter(user_id=user_id, is_default=True).first()
    return _address_info(address) if address else None


def api_token_list(*, user_id: int) -> list[ApiTokenInfo]:
    return [
        ApiTokenInfo(
            id=t.pk,
            name=t.name,
            prefix=t.prefix,
            scope=t.scope,
            created_at=t.created_at,
            last_used_at=t.last_used_at,
            revoked_at=t.revoked_at,
        )
        for t in ApiToken.objects.filter(user_id=user_id)
    ]


def api_token_find(*, token: str) -> ApiTokenOwner | None:
    """The owner of a presented token, or None if it is unknown, revoked or the user is inactive."""
    if not token or len(token) > 200:
        return None
    row = (
        ApiToken.objects.filter(
            token_hash=token_hash(token), revoked_at__isnull=True, user__is_active=True
        )
        .values("pk", "user_id", "scope", "last_used_at")
        .first()
    )
    if row is None:
        return None
    return ApiTokenOwner(
        token_id=row["pk"],
        user_id=row["user_id"],
        scope=row["scope"],
        last_used_at=row["last_used_at"],
    )


def activity_list(
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    after_id: int | None = None,
    user_id: int | None = None,
    limit: int | None = None,
) -> list[Activity]:
    """Activity in ``[since, until)`` (and/or after ``after_id``), ordered by id, for the ETL."""
    rows = ActivityLog.objects.all()
    if since is not None:
        rows = rows.filter(at__gte=since)
    if until is not None:
        rows = rows.filter(at__lt=until)
    if after_id is not None:
        rows = rows.filter(pk__gt=after_id)
    if user_id is not None:
        rows = rows.filter(user_id=user_id)
    rows = rows.order_by("pk")
    if limit is not None:
        rows = rows[:limit]
    return [
        Activity(
            id=row.pk,
            kind=row.kind,
            at=row.at,
            user_id=row.user_id,
            ip=row.ip,
            user_agent=row.user_agent,
            reference=row.reference,
            detail=row.detail,
        )
        for row in rows
    ]


def user_password_reset_token(*, user_id: int) -> tuple[str, str]:
    """``(uidb64, token)`` for Django's password-reset confirmation URL (one use)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise UserNotFoundError
    return urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)


def user_data_export(*, user_id: int) -> dict:
    """Everything the shop keeps about the user, JSON-safe (the user's own copy).

    Accounts' own data, plus what the other apps registered (orders, carts, coupon uses)
    through ``apps.core.personal_data``.
    """
    user = user_get(user_id=user_id)
    return {
        "profile": {
            "id": user.id,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": user.phone,
            "date_joined": user.date_joined.isoformat(),
        },
        "addresses": [
            {k: v for k, v in dataclasses.asdict(a).items() if k != "user_id"}
            for a in address_list(user_id=user_id)
        ],
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "scope": t.scope,
                "created_at": t.created_at.isoformat(),
                "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
            }
            for t in api_token_list(user_id=user_id)
        ],
        "activity": [
            {
                "kind": a.kind,
                "at": a.at.isoformat(),
                "ip": a.ip,
                "user_agent": a.user_agent,
                "reference": a.reference,
                "detail": a.detail,
            }
            for a in activity_list(user_id=user_id)
        ],
        **personal_data_collect(user_id=user_id),
    }


# --- The ETL's reads: only what reports need (no names, phones, passwords or addresses) ----


def etl_customers(*, ids: Iterable[int] = ()) -> Iterator[dict]:
    """Every user (or these ids): id, e-mail, when they joined, whether active, and the
    province and postal code of their default address, streamed."""
    users = User.objects.all()
    if ids:
        users = users.filter(pk__in=list(ids))
    default = Address.objects.filter(user_id=OuterRef("pk"), is_default=True)
    return (
        users.order_by("pk")
        .values("id", "email", "date_joined", "is_active")
        .annotate(
            province=Subquery(default.values("province")[:1]),
            postal_code=Subquery(default.values("postal_code")[:1]),
        )
        .iterator(chunk_size=5000)
    )
