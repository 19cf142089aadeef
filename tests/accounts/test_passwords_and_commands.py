"""Password change and reset by e-mail; create_manager and create_api_token."""

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from apps.accounts import selectors
from apps.accounts.models import ActivityLog, ApiToken, User

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Otra-clave-mas-larga-77"


def _set_password_through(client, link: str, password: str):
    path = re.sub(r"^https?://[^/]+", "", link)
    response = client.get(path)  # Django swaps the token for a session marker and redirects
    assert response.status_code == 302
    form_url = response["Location"]
    assert "Nueva contraseña" in client.get(form_url).content.decode()
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_password_change_keeps_the_session_and_logs_it(client, customer):
    client.force_login(customer)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert ActivityLog.objects.filter(kind="password_changed", user=customer).exists()


def test_password_change_shows_errors_next_to_the_fields(client, customer):
    client.force_login(customer)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": "a", "new_password2": "b"},
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)


def test_password_reset_by_email(client, customer):
    response = client.post(reverse("accounts:password_reset"), {"email": customer.email.upper()})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [customer.email]
    link = re.search(r"https?://\S+/cuenta/recuperar/\S+/", message.body).group(0)

    response = _set_password_through(client, link, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    customer.refresh_from_db()
    assert customer.check_password(NEW_PASSWORD)
    # The link works once.
    assert "no es válido" in Client().get(re.sub(r"^https?://[^/]+", "", link)).content.decode()


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nadie@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_create_manager_prints_a_one_time_link_that_sets_the_password(client):
    out = StringIO()
    call_command("create_manager", "Gestora@Example.com", "--base-url", "https://shop", stdout=out)
    user = User.objects.get(email="gestora@example.com")
    assert not user.has_usable_password()
    assert user.has_perm("accounts.access_dashboard")
    link = re.search(r"https://shop/cuenta/recuperar/\S+/", out.getvalue()).group(0)

    _set_password_through(client, link, NEW_PASSWORD)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    signed_in = Client()
    signed_in.post(reverse("accounts:login"), {"username": user.email, "password": NEW_PASSWORD})
    assert signed_in.get(reverse("dashboard:home")).status_code == 200


def test_create_manager_promotes_an_existing_customer():
    customer = UserFactory()
    out = StringIO()
    call_command("create_manager", customer.email, stdout=out)
    assert "Promoted" in out.getvalue()
    customer = User.objects.get(pk=customer.pk)
    assert customer.has_perm("accounts.access_dashboard")
    assert customer.check_password(PASSWORD)


def test_create_manager_refuses_a_non_address():
    with pytest.raises(CommandError):
        call_command("create_manager", "not-an-email", stdout=StringIO())


def test_create_api_token_prints_the_token_once():
    user = UserFactory()
    out = StringIO()
    call_command(
        "create_api_token",
        user.email,
        "--scope",
        "write",
        "--name",
        "ERP",
        stdout=out,
        stderr=StringIO(),
    )
    token = out.getvalue().strip()
    row = ApiToken.objects.get(user=user)
    assert (row.name, row.scope) == ("ERP", "write")
    assert selectors.api_token_find(token=token).user_id == user.pk
    with pytest.raises(CommandError):
        call_command("create_api_token", "nadie@example.com", stdout=StringIO())
