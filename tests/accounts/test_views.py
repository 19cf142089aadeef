"""Account pages: sign-up, profile, address book (with ownership), tokens, privacy."""

import json

import pytest
from django.urls import reverse

from apps.accounts import selectors
from apps.accounts.models import ActivityLog, Address, ApiToken, User

from .factories import PASSWORD, AddressFactory, UserFactory

pytestmark = pytest.mark.django_db

ADDRESS_POST = {
    "label": "Casa",
    "full_name": "Ana García",
    "line1": "Calle Mayor 1",
    "line2": "",
    "postal_code": "28013",
    "city": "Madrid",
    "province": "Madrid",
    "country": "es",
    "phone": "",
}


def test_sign_up_creates_a_customer_and_signs_in(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "email": "Nueva@Example.com",
            "first_name": "Nuria",
            "last_name": "Pérez",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    user = User.objects.get(email="nueva@example.com")
    assert user.first_name == "Nuria"
    assert user.password.startswith("md5$")  # hashed (Argon2 in production, MD5 in tests)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert not user.groups.exists() and not user.is_staff
    assert ActivityLog.objects.filter(user=user, kind="sign_up").exists()


def test_sign_up_ignores_extra_fields_like_is_staff(client):
    client.post(
        reverse("accounts:signup"),
        {
            "email": "pillo@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "is_staff": "on",
            "is_superuser": "on",
            "groups": "1",
            "id": "1",
        },
    )
    user = User.objects.get(email="pillo@example.com")
    assert not user.is_staff and not user.is_superuser
    assert not user.groups.exists()
    assert user.pk != 1 or User.objects.count() == 1


def test_sign_up_shows_errors_next_to_the_fields(client, customer):
    response = client.post(
        reverse("accounts:signup"),
        {"email": customer.email.upper(), "password1": "123", "password2": "456"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ya existe una cuenta con este correo electrónico." in html
    assert html.count("is-invalid") >= 2
    assert "invalid-feedback" in html
    assert User.objects.count() == 1


def test_sign_up_refuses_a_weak_password(client):
    response = client.post(
        reverse("accounts:signup"),
        {"email": "debil@example.com", "password1": "12345678", "password2": "12345678"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="debil@example.com").exists()


def test_account_pages_need_sign_in(client):
    for name in ("profile", "addresses", "api_tokens", "password_change", "privacy"):
        response = client.get(reverse(f"accounts:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_profile_update_ignores_email_and_flags(client, customer):
    client.force_login(customer)
    response = client.post(
        reverse("accounts:profile"),
        {
            "first_name": "Ana María",
            "last_name": "López",
            "phone": "+34 600 000 000",
            "email": "otro@example.com",
            "is_staff": "on",
        },
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.first_name, customer.last_name, customer.phone) == (
        "Ana María",
        "López",
        "+34 600 000 000",
    )
    assert customer.email != "otro@example.com"
    assert not customer.is_staff


def test_names_and_addresses_are_shown_escaped(client, customer):
    evil = '<script>alert("x")</script>"\' onmouseover="x'
    AddressFactory(user=customer, full_name=evil, line1=evil)
    customer.first_name = evil
    customer.save()
    client.force_login(customer)
    for name in ("addresses", "profile"):
        html = client.get(reverse(f"accounts:{name}")).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;" in html


def test_address_book_create_default_and_list(client, customer):
    client.force_login(customer)
    response = client.post(reverse("accounts:address_create"), ADDRESS_POST)
    assert response.status_code == 302
    first = Address.objects.get(user=customer)
    assert first.is_default and first.country == "ES"

    client.post(
        reverse("accounts:address_create"),
        {**ADDRESS_POST, "label": "Trabajo", "is_default": "on"},
    )
    second = Address.objects.get(user=customer, label="Trabajo")
    first.refresh_from_db()
    assert second.is_default and not first.is_default

    client.post(reverse("accounts:address_make_default", args=[first.pk]))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_default and not second.is_default

    html = client.get(reverse("accounts:addresses")).content.decode()
    assert "Trabajo" in html and "Calle Mayor 1" in html


def test_address_form_errors_show_next_to_the_field(client, customer):
    client.force_login(customer)
    response = client.post(
        reverse("accounts:address_create"), {**ADDRESS_POST, "city": "", "country": "E1"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_city"' in html and "is-invalid" in html
    assert "código de país de dos letras" in html
    assert not Address.objects.exists()


def test_address_form_ignores_a_foreign_user_id(client, customer, other_customer):
    client.force_login(customer)
    client.post(reverse("accounts:address_create"), {**ADDRESS_POST, "user": other_customer.pk})
    assert Address.objects.get().user_id == customer.pk


def test_address_edit_and_delete_own(client, customer):
    address = AddressFactory(user=customer)
    client.force_login(customer)
    assert client.get(reverse("accounts:address_edit", args=[address.pk])).status_code == 200
    client.post(
        reverse("accounts:address_edit", args=[address.pk]), {**ADDRESS_POST, "city": "Toledo"}
    )
    address.refresh_from_db()
    assert address.city == "Toledo"
    assert client.get(reverse("accounts:address_delete", args=[address.pk])).status_code == 200
    client.post(reverse("accounts:address_delete", args=[address.pk]))
    assert not Address.objects.filter(pk=address.pk).exists()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("address_edit", "get"),
        ("address_edit", "post"),
        ("address_delete", "get"),
        ("address_delete", "post"),
        ("address_make_default", "post"),
    ],
)
def test_another_customers_address_is_not_found(client, customer, others_address, name, method):
    client.force_login(customer)
    url = reverse(f"accounts:{name}", args=[others_address.pk])
    response = getattr(client, method)(url, ADDRESS_POST if method == "post" else None)
    assert response.status_code == 404
    others_address.refresh_from_db()
    assert others_address.full_name == "Berta Otra"
    assert others_address.city == "Madrid"
    assert others_address.is_default


def test_another_customers_address_is_not_listed(client, customer, others_address):
    client.force_login(customer)
    assert "Berta Otra" not in client.get(reverse("accounts:addresses")).content.decode()


def test_api_token_is_shown_once_and_only_its_hash_is_kept(client, customer):
    client.force_login(customer)
    response = client.post(reverse("accounts:api_tokens"), {"name": "Mi script", "scope": "write"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = response.context["issued"].token
    assert token in response.content.decode()
    row = ApiToken.objects.get(user=customer)
    assert row.prefix == token[:8] and row.scope == "write"
    assert token not in (row.token_hash, row.prefix, row.name)
    assert selectors.api_token_find(token=token).user_id == customer.pk

    listing = client.get(reverse("accounts:api_tokens")).content.decode()
    assert token not in listing and row.prefix in listing

    client.post(reverse("accounts:api_token_revoke", args=[row.pk]))
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert selectors.api_token_find(token=token) is None


def test_cannot_revoke_another_customers_token(client, customer, other_customer):
    client.force_login(other_customer)
    client.post(reverse("accounts:api_tokens"), {"name": "suyo", "scope": "read"})
    theirs = ApiToken.objects.get(user=other_customer)
    client.force_login(customer)
    response = client.post(reverse("accounts:api_token_revoke", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_data_download_is_the_users_own_json(client, customer, others_address):
    AddressFactory(user=customer, city="Sevilla")
    client.force_login(customer)
    response = client.get(reverse("accounts:data_download"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["profile"]["email"] == customer.email
    assert [a["city"] for a in data["addresses"]] == ["Sevilla"]
    assert "Berta Otra" not in response.content.decode()


def test_account_erase_needs_the_password_and_anonymises(client, customer):
    AddressFactory(user=customer)
    client.force_login(customer)
    response = client.post(
        reverse("accounts:account_erase"), {"password": "wrong", "confirm": "on"}
    )
    assert response.status_code == 400
    customer.refresh_from_db()
    assert customer.is_active

    response = client.post(
        reverse("accounts:account_erase"), {"password": PASSWORD, "confirm": "on"}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert not customer.is_active
    assert customer.first_name == "" and customer.email.endswith("@erased.invalid")
    assert not Address.objects.filter(user=customer).exists()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:profile")).status_code == 302  # signed out


def test_other_users_are_unaffected_by_an_erase(client, customer, other_customer):
    UserFactory()
    client.force_login(customer)
    client.post(reverse("accounts:account_erase"), {"password": PASSWORD, "confirm": "on"})
    other_customer.refresh_from_db()
    assert other_customer.is_active and other_customer.first_name == "Ana"


def test_account_pages_are_available_in_english(client, customer):
    client.cookies["django_language"] = "en"
    assert "Create an account" in client.get(reverse("accounts:signup")).content.decode()
    client.force_login(customer)
    html = client.get(reverse("accounts:addresses")).content.decode()
    assert "Add an address" in html and "Privacy and data" in html


def _sign_up(client, *, next_url: str, email: str = "desde-pedido@example.com"):
    return client.post(
        f"{reverse('accounts:signup')}?next={next_url}",
        {
            "email": email,
            "first_name": "Nuria",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": next_url,
        },
    )


def test_sign_up_from_the_checkout_comes_back_to_the_checkout(client):
    checkout = reverse("sales:checkout")
    login_url = client.get(checkout)["Location"]
    assert login_url == f"{reverse('accounts:login')}?next={checkout}"

    login_page = client.get(login_url).content.decode()
    signup_link = f'href="{reverse("accounts:signup")}?next=%2Fpedido%2F"'
    assert signup_link in login_page

    signup_page = client.get(f"{reverse('accounts:signup')}?next={checkout}").content.decode()
    assert f'name="next" value="{checkout}"' in signup_page
    assert f'href="{reverse("accounts:login")}?next=%2Fpedido%2F"' in signup_page

    response = _sign_up(client, next_url=checkout)
    assert response.status_code == 302
    assert response["Location"] == checkout
    assert client.session.get("_auth_user_id")


@pytest.mark.parametrize(
    "next_url", ["https://evil.example.com/pedido/", "//evil.example.com/", "javascript:alert(1)"]
)
def test_sign_up_ignores_a_next_that_leaves_the_shop(client, next_url):
    assert (
        'value="' + next_url
        not in client.get(reverse("accounts:signup"), {"next": next_url}).content.decode()
    )
    response = _sign_up(client, next_url=next_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
