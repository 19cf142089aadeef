"""Accounts use cases. Other apps pass and receive user ids, never User instances."""

import dataclasses
import ipaddress
import json
import re
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.services import event_publish

from . import selectors
from .errors import (
    AddressNotFoundError,
    ApiTokenNotFoundError,
    EmailTakenError,
    InvalidActivityError,
    InvalidPasswordError,
    UserNotFoundError,
)
from .events import UserErased, UserSignedIn
from .models import ActivityLog, Address, ApiToken, Role, User

__all__ = [  # the errors are part of the public face, next to the services that raise them
    "AddressNotFoundError",
    "ApiTokenNotFoundError",
    "EmailTakenError",
    "InvalidActivityError",
    "InvalidPasswordError",
    "UserNotFoundError",
]

ACTIVITY_KIND = re.compile(r"^[a-z][a-z0-9_.]{0,49}$")
ACTIVITY_DETAIL_MAX_CHARS = 2000
USER_AGENT_MAX_CHARS = 200
REFERENCE_MAX_CHARS = 200
TOKEN_TOUCH_EVERY = timedelta(minutes=1)
TOKEN_PREFIX = "ep_"  # noqa: S105  (a visible marker, not a secret)


class ActivityKind:
    """The kinds accounts records itself. Other apps use their own (``product_view``,
    ``cart_add``, ``checkout``, ``order_cancel``…): lower case, digits, ``_`` and ``.``."""

    SIGN_UP = "sign_up"
    SIGN_IN = "sign_in"
    SIGN_OUT = "sign_out"
    SIGN_IN_FAILED = "sign_in_failed"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105  (an activity kind)
    DATA_EXPORTED = "data_exported"


@dataclasses.dataclass(frozen=True, kw_only=True)
class IssuedApiToken:
    id: int
    token: str  # shown to its owner once; only its hash is stored
    prefix: str
    scope: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class ManagerPromotion:
    user_id: int
    created: bool


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    role: str = Role.CUSTOMER,
) -> int:
    """Create a user with a role ("customer", "manager" or "administrator"); return its id."""
    role = Role(role)
    user = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        is_staff=role == Role.ADMINISTRATOR,
        is_superuser=role == Role.ADMINISTRATOR,
    )
    if role != Role.CUSTOMER:
        user.groups.add(Group.objects.get(name=role.value))
    return user.pk


@transaction.atomic
def customer_register(
    *, email: str, password: str, first_name: str = "", last_name: str = ""
) -> int:
    """Sign a customer up: unique e-mail (any case), a password Django's validators accept."""
    email = User.objects.normalize_email(email.strip()).lower()
    if selectors.user_exists(email=email):
        raise EmailTakenError
    try:
        validate_password(password, User(email=email, first_name=first_name, last_name=last_name))
    except ValidationError as exc:
        raise InvalidPasswordError(" ".join(exc.messages), details=exc.messages) from None
    try:
        with transaction.atomic():
            return user_create(
                email=email, password=password, first_name=first_name, last_name=last_name
            )
    except IntegrityError:  # a concurrent sign-up with the same address won
        raise EmailTakenError from None


@transaction.atomic
def profile_update(*, user_id: int, first_name: str, last_name: str, phone: str) -> None:
    updated = User.objects.filter(pk=user_id).update(
        first_name=first_name.strip(), last_name=last_name.strip(), phone=phone.strip()
    )
    if not updated:
        raise UserNotFoundError


def _own_address(*, user_id: int, address_id: int) -> Address:
    address = Address.objects.select_for_update().filter(pk=address_id, user_id=user_id).first()
    if address is None:
        raise AddressNotFoundError
    return address


def _make_default(*, user_id: int, address_id: int) -> None:
    Address.objects.filter(user_id=user_id, is_default=True).exclude(pk=address_id).update(
        is_default=False
    )
    Address.objects.filter(pk=address_id, user_id=user_id).update(is_default=True)


@transaction.atomic
def address_create(
    *,
    user_id: int,
    full_name: str,
    line1: str,
    postal_code: str,
    city: str,
    label: str = "",
    line2: str = "",
    province: str = "",
    country: str = "ES",
    phone: str = "",
    is_default: bool = False,
) -> int:
    """Add an address to the user's book; the first one becomes the shipping default."""
    if not User.objects.filter(pk=user_id).exists():
        raise UserNotFoundError
    first = not Address.objects.filter(user_id=user_id).exists()
    address = Address.objects.create(
        user_id=user_id,
        label=label,
        full_name=full_name,
        line1=line1,
        line2=line2,
        postal_code=postal_code,
        city=city,
        province=province,
        country=country.upper(),
        phone=phone,
    )
    if first or is_default:
        _make_default(user_id=user_id, address_id=address.pk)
    return address.pk


@transaction.atomic
def address_update(
    *,
    user_id: int,
    address_id: int,
    full_name: str,
    line1: str,
    postal_code: str,
    city: str,
    label: str = "",
    line2: str = "",
    province: str = "",
    country: str = "ES",
    phone: str = "",
    is_default: bool = False,
) -> None:
    """Change one of the user's own addresses (another user's: ``AddressNotFoundError``)."""
    address = _own_address(user_id=user_id, address_id=address_id)
    Address.objects.filter(pk=address.pk).update(
        label=label,
        full_name=full_name,
        line1=line1,
        line2=line2,
        postal_code=postal_code,
        city=city,
        province=province,
        country=country.upper(),
        phone=phone,
        is_default=address.is_default and is_default,
        updated_at=timezone.now(),
    )
    if is_default:
        _make_default(user_id=user_id, address_id=address.pk)


@transaction.atomic
def address_set_default(*, user_id: int, address_id: int) -> None:
    _own_address(user_id=user_id, address_id=address_id)
    _make_default(user_id=user_id, address_id=address_id)


@transaction.atomic
def address_delete(*, user_id: int, address_id: int) -> None:
    """Delete one of the user's own addresses; if it was the default, the oldest left takes over."""
    address = _own_address(user_id=user_id, address_id=address_id)
    was_default = address.is_default
    address.delete()
    if was_default:
        successor = Address.objects.filter(user_id=user_id).order_by("pk").first()
        if successor is not None:
            _make_default(user_id=user_id, address_id=successor.pk)


def _clean_ip(ip: str | None) -> str | None:
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(ip.strip()))
    except ValueError:
        return None


@transaction.atomic
def activity_record(
    *,
    kind: str,
    user_id: int | None,
    ip: str | None,
    user_agent: str = "",
    reference: str = "",
    detail: dict | None = None,
) -> None:
    """Record what a visitor did. Keep ``detail`` small and free of personal data."""
    if not ACTIVITY_KIND.match(kind or ""):
        raise InvalidActivityError(details={"kind": kind})
    detail = detail or {}
    try:
        encoded = json.dumps(detail)
    except (TypeError, ValueError):
        raise InvalidActivityError(details={"detail": "not JSON-serialisable"}) from None
    if len(encoded) > ACTIVITY_DETAIL_MAX_CHARS:
        raise InvalidActivityError(details={"detail": "too large"})
    ActivityLog.objects.create(
        kind=kind,
        user_id=user_id,
        ip=_clean_ip(ip),
        user_agent=(user_agent or "")[:USER_AGENT_MAX_CHARS],
        reference=(reference or "")[:REFERENCE_MAX_CHARS],
        detail=detail,
    )


@transaction.atomic
def user_sign_in_record(
    *, user_id: int, session_key_before: str, ip: str | None, user_agent: str = ""
) -> None:
    """A user signed in: log it and tell the other apps (the cart merges the anonymous one)."""
    activity_record(kind=ActivityKind.SIGN_IN, user_id=user_id, ip=ip, user_agent=user_agent)
    event_publish(UserSignedIn(user_id=user_id, session_key_before=session_key_before or ""))


@transaction.atomic
def api_token_create(*, user_id: int, name: str, scope: str) -> IssuedApiToken:
    """Issue a personal API token; the returned token is the only copy there will ever be."""
    scope = ApiToken.Scope(scope).value
    if not User.objects.filter(pk=user_id, is_active=True).exists():
        raise UserNotFoundError
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        user_id=user_id,
        name=name.strip()[:100],
        prefix=token[:8],
        token_hash=selectors.token_hash(token),
        scope=scope,
    )
    return IssuedApiToken(id=row.pk, token=token, prefix=row.prefix, scope=scope)


@transaction.atomic
def api_token_revoke(*, user_id: int, token_id: int) -> None:
    updated = ApiToken.objects.filter(pk=token_id, user_id=user_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated and not ApiToken.objects.filter(pk=token_id, user_id=user_id).exists():
        raise ApiTokenNotFoundError


@transaction.atomic
def api_token_mark_used(*, token_id: int) -> None:
    """Note a token's use, at most once a minute (no write on every API call)."""
    now = timezone.now()
    ApiToken.objects.filter(pk=token_id).exclude(last_used_at__gt=now - TOKEN_TOUCH_EVERY).update(
        last_used_at=now
    )


@transaction.atomic
def manager_promote(*, email: str) -> ManagerPromotion:
    """Make ``email`` a manager: promote the existing user, or create one with no usable
    password (they set it through a password-reset link)."""
    user_id = selectors.user_id_for_email(email=email)
    created = user_id is None
    if created:
        user_id = user_create(email=email, password=None, role=Role.MANAGER)
    else:
        User.objects.get(pk=user_id).groups.add(Group.objects.get(name=Role.MANAGER.value))
    return ManagerPromotion(user_id=user_id, created=created)


@transaction.atomic
def user_erase(*, user_id: int) -> None:
    """Deactivate the account and anonymise its personal data; publish ``UserErased``.

    The row stays (orders and statistics keep pointing at an anonymous id); the
    address book and API tokens go; the activity log keeps what happened but not
    the IP address or browser.
    """
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise UserNotFoundError
    user.email = f"erased-{user.pk}@erased.invalid"
    user.first_name = ""
    user.last_name = ""
    user.phone = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    Address.objects.filter(user_id=user_id).delete()
    ApiToken.objects.filter(user_id=user_id).delete()
    ActivityLog.objects.filter(user_id=user_id).update(ip=None, user_agent="")
    event_publish(UserErased(user_id=user_id))


def customer_ids_ensure(*, emails: Iterable[str], joined_at=None) -> dict[str, int]:
    """The ids of these customers by (lower-cased) e-mail, creating the missing ones in bulk
    without a usable password (they choose one through «¿Olvidó su contraseña?»): an
    order-history import brings customers the shop has never seen. Returns every e-mail."""
    wanted = sorted({User.objects.normalize_email(e.strip()).lower() for e in emails if e})
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start : start + 1000]
        found.update(User.objects.filter(email__in=chunk).values_list("email", "pk"))
    missing = [email for email in wanted if email not in found]
    if missing:
        joined = joined_at or timezone.now()
        User.objects.bulk_create(
            (
                User(email=email, password=make_password(None), date_joined=joined)
                for email in missing
            ),
            batch_size=1000,
            ignore_conflicts=True,  # a customer who signed up meanwhile keeps their account
        )
        for start in range(0, len(missing), 1000):
            chunk = missing[start : start + 1000]
            found.update(User.objects.filter(email__in=chunk).values_list("email", "pk"))
    return found
