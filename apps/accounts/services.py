"""Accounts use cases. Other apps pass and receive user ids, never User instances."""

from django.contrib.auth.models import Group
from django.db import transaction

from .models import Role, User


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
