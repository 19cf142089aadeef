"""Accounts use cases: registration, address book rules, activity, tokens, erasure, roles."""

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError

from apps.accounts import selectors, services
from apps.accounts.events import UserErased
from apps.accounts.models import ActivityLog, Address, ApiToken, User
from apps.core.models import OutboxMessage

from .factories import PASSWORD, AddressFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_customer_register_normalises_and_refuses_duplicates():
    user_id = services.customer_register(email=" Ana@Example.COM ", password=PASSWORD)
    assert User.objects.get(pk=user_id).email == "ana@example.com"
    with pytest.raises(services.EmailTakenError) as exc:
        services.customer_register(email="ANA@example.com", password=PASSWORD)
    assert exc.value.code == "email_taken" and exc.value.status == 409


def test_customer_register_applies_the_password_validators():
    with pytest.raises(services.InvalidPasswordError) as exc:
        services.customer_register(email="b@example.com", password="password")
    assert exc.value.code == "invalid_password" and exc.value.details
    assert not User.objects.exists()


def test_first_address_is_default_and_only_one_default():
    user = UserFactory()
    first = AddressFactory(user=user)
    second = AddressFactory(user=user, is_default=True)
    first.refresh_from_db()
    assert second.is_default and not first.is_default
    assert Address.objects.filter(user=user, is_default=True).count() == 1


def test_the_database_refuses_two_defaults():
    from django.db import connection

    if not connection.features.supports_partial_indexes:
        pytest.skip(
            f"{connection.vendor} has no partial unique indexes; there only the service keeps "
            "one default address (it clears the others in the same transaction; test above)"
        )
    user = UserFactory()
    AddressFactory(user=user)
    with pytest.raises(IntegrityError):
        Address.objects.create(
            user=user, full_name="x", line1="x", postal_code="1", city="x", is_default=True
        )


def test_deleting_the_default_promotes_the_oldest_left():
    user = UserFactory()
    first = AddressFactory(user=user)
    second = AddressFactory(user=user)
    third = AddressFactory(user=user)
    services.address_delete(user_id=user.pk, address_id=first.pk)
    assert selectors.address_default(user_id=user.pk).id == second.pk
    assert third.pk != second.pk


def test_address_services_refuse_another_users_address():
    owner, intruder = UserFactory(), UserFactory()
    address = AddressFactory(user=owner)
    fields = {"full_name": "X", "line1": "X", "postal_code": "1", "city": "X"}
    for call in (
        lambda: services.address_update(user_id=intruder.pk, address_id=address.pk, **fields),
        lambda: services.address_delete(user_id=intruder.pk, address_id=address.pk),
        lambda: services.address_set_default(user_id=intruder.pk, address_id=address.pk),
        lambda: selectors.address_get(user_id=intruder.pk, address_id=address.pk),
    ):
        with pytest.raises(services.AddressNotFoundError):
            call()
    address.refresh_from_db()
    assert address.full_name == "Ana García"


def test_activity_record_truncates_and_validates():
    user = UserFactory()
    services.activity_record(
        kind="product_view",
        user_id=user.pk,
        ip="not-an-ip",
        user_agent="A" * 1000,
        reference="product:" + "9" * 500,
        detail={"product_id": 7},
    )
    row = ActivityLog.objects.get()
    assert (row.kind, row.user_id, row.ip) == ("product_view", user.pk, None)
    assert len(row.user_agent) == 200 and len(row.reference) == 200
    assert row.detail == {"product_id": 7}

    services.activity_record(kind="cart_add", user_id=None, ip="2001:db8::1")
    assert ActivityLog.objects.get(kind="cart_add").ip == "2001:db8::1"

    for bad in ({"kind": "Bad Kind"}, {"kind": ""}, {"kind": "x", "detail": {"a": "b" * 3000}}):
        with pytest.raises(services.InvalidActivityError):
            services.activity_record(user_id=None, ip=None, **{"detail": None, **bad})


def test_activity_list_filters_by_time_and_orders_by_id():
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    for kind in ("a", "b", "c"):
        services.activity_record(kind=kind, user_id=None, ip=None)
    ActivityLog.objects.filter(kind="a").update(at=now - timedelta(days=2))
    ActivityLog.objects.filter(kind="c").update(at=now + timedelta(days=2))
    rows = selectors.activity_list(since=now - timedelta(days=1), until=now + timedelta(days=1))
    assert [r.kind for r in rows] == ["b"]
    every = selectors.activity_list()
    assert [r.id for r in every] == sorted(r.id for r in every)
    assert [r.kind for r in selectors.activity_list(after_id=every[0].id)] == ["b", "c"]


def test_api_tokens_store_only_a_hash():
    user = UserFactory()
    issued = services.api_token_create(user_id=user.pk, name="ci", scope="read")
    row = ApiToken.objects.get()
    assert issued.token.startswith("ep_") and len(issued.token) > 40
    assert row.token_hash == selectors.token_hash(issued.token) != issued.token
    assert selectors.api_token_find(token=issued.token).scope == "read"
    assert selectors.api_token_find(token=issued.token + "x") is None
    with pytest.raises(ValueError):
        services.api_token_create(user_id=user.pk, name="x", scope="admin")


def test_user_erase_anonymises_and_publishes(django_capture_on_commit_callbacks):
    user = UserFactory(first_name="Zoe")
    user.phone = "600"
    user.save()
    AddressFactory(user=user)
    services.api_token_create(user_id=user.pk, name="t", scope="write")
    services.activity_record(kind="sign_in", user_id=user.pk, ip="10.0.0.1", user_agent="UA")
    with django_capture_on_commit_callbacks():
        services.user_erase(user_id=user.pk)
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert (user.first_name, user.last_name, user.phone) == ("", "", "")
    assert user.email == f"erased-{user.pk}@erased.invalid"
    assert not Address.objects.exists() and not ApiToken.objects.exists()
    log = ActivityLog.objects.get()
    assert log.user_id == user.pk and log.ip is None and log.user_agent == ""
    message = OutboxMessage.objects.get(event_type=UserErased.name)
    assert message.payload["user_id"] == user.pk


def test_manager_promote_creates_without_a_password_or_promotes():
    promotion = services.manager_promote(email="Jefa@Example.com")
    new = User.objects.get(pk=promotion.user_id)
    assert promotion.created and not new.has_usable_password()
    assert new.has_perm("accounts.access_dashboard")

    customer = UserFactory()
    again = services.manager_promote(email=customer.email)
    assert not again.created and again.user_id == customer.pk
    assert Group.objects.get(name="manager").user_set.filter(pk=customer.pk).exists()
    customer = User.objects.get(pk=customer.pk)
    assert customer.check_password(PASSWORD)  # promotion keeps the password
