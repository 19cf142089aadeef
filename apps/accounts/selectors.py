"""Accounts reads for other apps."""

from .models import User


def user_exists(*, email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()
