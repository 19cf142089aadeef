"""Users and addresses for tests, made through the accounts services (reusable by every app)."""

import factory

from apps.accounts import services
from apps.accounts.models import Address, Role, User

PASSWORD = "Un-buen-secreto-42"


class UserFactory(factory.django.DjangoModelFactory):
    """``UserFactory()`` a customer; ``UserFactory(role="manager")``; password is ``PASSWORD``."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"cliente{n}@example.com")
    first_name = "Ana"
    last_name = "García"
    password = PASSWORD
    role = Role.CUSTOMER

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        user_id = services.user_create(
            email=kwargs["email"],
            password=kwargs["password"],
            first_name=kwargs["first_name"],
            last_name=kwargs["last_name"],
            role=kwargs["role"],
        )
        return model_class.objects.get(pk=user_id)


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    full_name = "Ana García"
    line1 = "Calle Mayor 1"
    postal_code = "28013"
    city = "Madrid"
    province = "Madrid"
    country = "ES"

    @classmethod
    def _create(cls, model_class, *args, user, **kwargs):
        address_id = services.address_create(user_id=user.pk, **kwargs)
        return model_class.objects.get(pk=address_id)
