import pytest

from .factories import AddressFactory, UserFactory


@pytest.fixture
def customer(db):
    return UserFactory()


@pytest.fixture
def other_customer(db):
    return UserFactory()


@pytest.fixture
def manager(db):
    return UserFactory(role="manager")


@pytest.fixture
def administrator(db):
    return UserFactory(role="administrator")


@pytest.fixture
def others_address(other_customer):
    return AddressFactory(user=other_customer, full_name="Berta Otra")
