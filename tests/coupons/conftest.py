import pytest
from django.contrib.auth import get_user_model

from tests.coupons.factories import make_customer


@pytest.fixture
def manager_client(client):
    client.force_login(
        get_user_model().objects.get(pk=make_customer("gestor@example.com", role="manager"))
    )
    return client


@pytest.fixture
def customer_client(client):
    client.force_login(get_user_model().objects.get(pk=make_customer("ana@example.com")))
    return client
