"""Sign-in hardening: lock-out, session rotation, CSRF, activity log and the sign-in event."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from apps.accounts.events import UserSignedIn
from apps.accounts.models import ActivityLog
from apps.core.models import OutboxMessage

from .factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/cuenta/entrar/"


def _sign_in(client, email, password, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def _fail(client, email, times, **extra):
    for _ in range(times):
        response = _sign_in(client, email, "not-the-password", **extra)
    return response


def test_five_failures_lock_the_account_and_the_right_password_is_refused(client, customer):
    response = _fail(client, customer.email, 4)
    assert response.status_code == 200  # four mistakes: still the form
    response = _fail(client, customer.email, 1)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Acceso bloqueado temporalmente" in html
    assert "15 minutos" in html

    response = _sign_in(client, customer.email, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_counts_the_email_in_any_case(client, customer):
    _fail(client, customer.email.upper(), 3)
    _fail(client, customer.email, 2)
    assert _sign_in(client, customer.email, PASSWORD).status_code == 429


def test_the_lock_is_per_account_and_address(client, customer, other_customer):
    _fail(client, customer.email, 5)
    # The same account from another address, and another account from this address, still work.
    other_ip = Client(REMOTE_ADDR="203.0.113.9")
    assert _sign_in(other_ip, customer.email, PASSWORD).status_code == 302
    assert _sign_in(Client(), other_customer.email, PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off(client, customer):
    _fail(client, customer.email, 5)
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    response = _sign_in(client, customer.email, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(customer.pk)


def test_an_administrator_can_unlock_in_the_admin(client, customer, administrator):
    _fail(client, customer.email, 5)
    attempt = AccessAttempt.objects.get()
    admin_client = Client()
    admin_client.force_login(administrator)
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"post": "yes"})
    assert not AccessAttempt.objects.exists()
    assert _sign_in(client, customer.email, PASSWORD).status_code == 302


def test_sign_in_rotates_the_session_and_csrf_token(customer):
    client = Client(enforce_csrf_checks=True)
    page = client.get(LOGIN)
    csrf_before = page.cookies[settings.CSRF_COOKIE_NAME].value
    client.get("/")  # a session exists before signing in (the cart will use one)
    session = client.session
    session["anonymous"] = "yes"
    session.save()
    key_before = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = key_before

    response = client.post(
        LOGIN,
        {"username": customer.email, "password": PASSWORD, "csrfmiddlewaretoken": csrf_before},
    )
    assert response.status_code == 302
    key_after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert key_after and key_after != key_before
    assert client.cookies[settings.CSRF_COOKIE_NAME].value != csrf_before
    # The old session is gone: its key signs nobody in.
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = key_before
    assert stale.get(reverse("accounts:profile")).status_code == 302


def test_sign_out_clears_the_session(client, customer):
    _sign_in(client, customer.email, PASSWORD)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = key
    assert stale.get(reverse("accounts:profile")).status_code == 302


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("accounts:login", {"username": "x@example.com", "password": "x"}),
        ("accounts:signup", {"email": "x@example.com"}),
        ("accounts:logout", {}),
        ("accounts:profile", {"first_name": "X"}),
        ("accounts:address_create", {"full_name": "X"}),
        ("accounts:api_tokens", {"name": "x", "scope": "write"}),
        ("accounts:password_change", {"old_password": PASSWORD}),
        ("accounts:password_reset", {"email": "x@example.com"}),
        ("accounts:account_erase", {"password": PASSWORD, "confirm": "on"}),
    ],
)
def test_every_form_refuses_a_post_without_csrf_token(customer, url_name, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    response = client.post(reverse(url_name), data)
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.is_active and customer.first_name == "Ana"


def test_address_forms_refuse_a_post_without_csrf_token(customer):
    from .factories import AddressFactory

    address = AddressFactory(user=customer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    for name in ("address_edit", "address_delete", "address_make_default"):
        assert client.post(reverse(f"accounts:{name}", args=[address.pk])).status_code == 403
    assert client.post(reverse("accounts:api_token_revoke", args=[1])).status_code == 403


def test_sign_in_out_and_failure_are_logged_with_little_personal_data(client, customer):
    ua = "Mozilla/5.0 " + "x" * 500
    _sign_in(client, customer.email, "nope", HTTP_USER_AGENT=ua)
    _sign_in(client, "nadie@example.com", "nope")
    _sign_in(client, customer.email, PASSWORD, HTTP_USER_AGENT=ua)
    client.post(reverse("accounts:logout"))

    rows = list(ActivityLog.objects.order_by("pk").values_list("kind", "user_id", "ip"))
    assert rows == [
        ("sign_in_failed", customer.pk, "127.0.0.1"),
        ("sign_in_failed", None, "127.0.0.1"),
        ("sign_in", customer.pk, "127.0.0.1"),
        ("sign_out", customer.pk, "127.0.0.1"),
    ]
    assert len(ActivityLog.objects.get(kind="sign_in").user_agent) == 200
    # The e-mail someone typed is not stored anywhere in the log.
    for row in ActivityLog.objects.all():
        assert "nadie@example.com" not in f"{row.reference}{row.detail}"


def test_sign_in_publishes_user_signed_in_with_the_session_before(
    client, customer, django_capture_on_commit_callbacks
):
    client.get("/")
    session = client.session
    session["cart"] = "anonymous"
    session.save()
    key_before = session.session_key
    with django_capture_on_commit_callbacks():
        _sign_in(client, customer.email, PASSWORD)
    message = OutboxMessage.objects.get(event_type=UserSignedIn.name)
    assert message.payload["user_id"] == customer.pk
    assert message.payload["session_key_before"] == key_before
    assert UserSignedIn.name == "accounts.UserSignedIn"


def test_lockout_template_has_no_inline_script_or_style(client, customer):
    html = _fail(client, customer.email, 5).content.decode()
    assert "<script>" not in html and "style=" not in html
