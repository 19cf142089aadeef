"""The site's frame: layout, language, security headers."""

import pytest

pytestmark = pytest.mark.django_db


def test_home_speaks_spanish_by_default_even_to_an_english_browser(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "Buscar productos" in html


def test_visitor_can_switch_to_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Search products" in html

    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert '<html lang="es">' in client.get("/").content.decode()


def test_layout_uses_vendored_bootstrap_and_no_third_party_host(client):
    html = client.get("/").content.decode()
    assert "vendor/bootstrap/bootstrap.min.css" in html
    assert "vendor/bootstrap/bootstrap.bundle.min.js" in html
    assert "cdn." not in html


def test_security_headers_are_sent(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_unknown_page_gets_the_shop_404(client):
    response = client.get("/no-existe/")
    assert response.status_code == 404
    assert "No encontramos esta página" in response.content.decode()


def test_sign_in_with_email_in_any_case(client, django_user_model):
    django_user_model.objects.create_user(email="Ana@Example.com", password="s3cret-Pass!")
    response = client.post(
        "/cuenta/entrar/", {"username": "ANA@example.COM", "password": "s3cret-Pass!"}
    )
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_wrong_password_re_renders_with_a_message(client, django_user_model):
    django_user_model.objects.create_user(email="ana@example.com", password="s3cret-Pass!")
    response = client.post("/cuenta/entrar/", {"username": "ana@example.com", "password": "nope"})
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert 'value="ana@example.com"' in response.content.decode()
