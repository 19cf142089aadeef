import pytest
from django.test import Client

from apps.accounts import services as accounts_services
from apps.cart import selectors as cart_selectors
from apps.cart.models import Cart, CartLine
from tests.inventory.factories import first_variant_id, make_product

pytestmark = pytest.mark.django_db

PASSWORD = "Clave-segura-123"


@pytest.fixture
def variant():
    return first_variant_id(make_product(name="Auriculares Helio NC", price="89.90", stock=5))


def _add(client, variant_id, quantity=1):
    return client.post("/carrito/anadir/", {"variant_id": variant_id, "quantity": quantity})


def test_anonymous_visitor_fills_a_cart_and_sees_the_badge(client, variant):
    response = _add(client, variant, 2)
    assert response.status_code == 302
    page = client.get("/carrito/")
    html = page.content.decode()
    assert "Auriculares Helio NC" in html
    assert page.context["cart"].total.to_eng_string() == "179.80"
    assert 'id="cart-count">2<' in html


def test_asking_for_more_than_there_is_gets_the_most_and_a_message(client, variant):
    response = _add(client, variant, 9)
    page = client.get(response.url)
    assert "Solo quedan 5" in page.content.decode()
    assert CartLine.objects.get().quantity == 5


def test_update_and_remove_forms_work_without_javascript(client, variant):
    _add(client, variant, 1)
    client.post(f"/carrito/linea/{variant}/", {"quantity": 3})
    assert CartLine.objects.get().quantity == 3
    client.post(f"/carrito/linea/{variant}/eliminar/")
    assert not CartLine.objects.exists()
    assert "Su carrito está vacío" in client.get("/carrito/").content.decode()


def test_cart_survives_sign_in_through_the_sign_in_event(
    client, variant, django_capture_on_commit_callbacks
):
    accounts_services.user_create(email="ana@example.com", password=PASSWORD)
    _add(client, variant, 2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/cuenta/entrar/", {"username": "ana@example.com", "password": PASSWORD}
        )
    assert response.status_code == 302
    user_cart = Cart.objects.get(user__email="ana@example.com", status="open")
    # The event handler merged it before this request looked at the cart.
    assert dict(CartLine.objects.filter(cart=user_cart).values_list("variant_id", "quantity")) == {
        variant: 2
    }
    assert client.get("/carrito/").context["cart"].item_count == 2


def test_customers_only_ever_see_their_own_cart(variant):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    ana_id = accounts_services.user_create(email="ana@example.com", password=PASSWORD)
    bea_id = accounts_services.user_create(email="bea@example.com", password=PASSWORD)
    ana, bea = Client(), Client()
    ana.force_login(users.get(pk=ana_id))
    bea.force_login(users.get(pk=bea_id))
    _add(ana, variant, 1)
    # Bea aims at the same line id: it is not in her cart.
    bea.post(f"/carrito/linea/{variant}/", {"quantity": 4})
    bea.post(f"/carrito/linea/{variant}/eliminar/")
    ana_cart = cart_selectors.cart_find(user_id=ana_id)
    assert CartLine.objects.get(cart_id=ana_cart).quantity == 1
    assert bea.get("/carrito/").context["cart"].lines == ()


def test_forms_need_the_csrf_token(variant):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/carrito/anadir/", {"variant_id": variant}).status_code == 403
    assert not CartLine.objects.exists()


def test_open_redirects_are_refused(client, variant):
    response = client.post(
        "/carrito/anadir/", {"variant_id": variant, "next": "https://evil.example/"}
    )
    assert response.url == "/carrito/"


def test_product_page_has_an_add_to_cart_form(client, variant):
    html = client.get("/producto/auriculares-helio-nc/").content.decode()
    assert 'action="/carrito/anadir/"' in html
    assert f'name="variant_id" value="{variant}"' in html


def test_cart_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for i in range(8):
        _add(client, first_variant_id(make_product(name=f"Cable {i}", price="9.99", stock=5)))
    client.get("/carrito/")
    with django_assert_max_num_queries(8):
        response = client.get("/carrito/")
    assert len(response.context["cart"].lines) == 8


def test_badge_follows_the_cart_when_an_order_empties_it(
    client, variant, django_capture_on_commit_callbacks
):
    from apps.cart import services as cart_services

    with django_capture_on_commit_callbacks(execute=True):
        _add(client, variant, 2)
    assert 'id="cart-count">2<' in client.get("/").content.decode()
    cart_id = client.session["cart_id"]
    with django_capture_on_commit_callbacks(execute=True):
        cart_services.cart_clear(cart_id=cart_id)  # what checkout does
    html = client.get("/").content.decode()
    assert 'id="cart-count" hidden>0<' in html
