"""The manager's order pages: access by role, filters and query count, CSV, the detail with
its history, payments and ledger, transitions and refunds through the services."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from apps.accounts import services as accounts_services
from apps.cart import services as cart_services
from apps.coupons import services as coupons_services
from apps.inventory import selectors as inventory_selectors
from apps.sales.models import LedgerEntry, Order
from tests.sales.factories import APPROVED, make_shopper, make_variant, user

pytestmark = pytest.mark.django_db


def stock(variant_id):
    return inventory_selectors.variant_stock(variant_id=variant_id)


@pytest.fixture
def manager(client):
    manager_id = accounts_services.user_create(
        email="gestora@example.com", password="Clave-segura-123", role="manager"
    )
    client.force_login(get_user_model().objects.get(pk=manager_id))
    client.manager_id = manager_id
    return client


def place(*, payment_method="transfer", price="40.00", quantity=1, stock=10, email=None, **extra):
    shopper = make_shopper(email)
    variant = make_variant(price=price, stock=stock)
    shopper.add(variant, quantity)
    card = APPROVED if payment_method == "card" else None
    placed = shopper.place(payment_method=payment_method, card=card, **extra)
    order = Order.objects.get(number=placed.number)
    order.variant_id = variant
    return order


def detail_url(order) -> str:
    return reverse("sales_dashboard:detail", args=[order.number])


# --- Access --------------------------------------------------------------------------------

PAGES = ["sales_dashboard:list", "sales_dashboard:export", "sales_dashboard:detail"]


def _url(name):
    if name == "sales_dashboard:detail":
        return detail_url(place())
    return reverse(name)


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_sign_in(client, name):
    response = client.get(_url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('accounts:login')}?next=")


@pytest.mark.parametrize("name", PAGES)
def test_a_customer_gets_403(client, name):
    url = _url(name)
    client.force_login(user(make_shopper().customer_id))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_a_manager_gets_the_page(manager, name):
    assert manager.get(_url(name)).status_code == 200


def test_a_customer_cannot_change_an_order(client):
    order = place()
    client.force_login(user(order.customer_id))
    url = reverse("sales_dashboard:transition", args=[order.number])
    assert client.post(url, {"to_status": "paid"}).status_code == 403
    refund = reverse("sales_dashboard:refund", args=[order.number])
    assert client.post(refund, {"amount": "1"}).status_code == 403
    order.refresh_from_db()
    assert order.status == "pending_payment"


def test_the_dashboard_links_to_orders_coupons_and_the_catalogue(manager):
    html = manager.get("/dashboard/").content.decode()
    for name in (
        "sales_dashboard:list",
        "coupons_dashboard:list",
        "inventory_dashboard:product_list",
    ):
        assert f'href="{reverse(name)}"' in html
    nav = manager.get(reverse("sales_dashboard:list")).content.decode()
    assert f'href="{reverse("sales_dashboard:list")}"' in nav


# --- List, filters, CSV ----------------------------------------------------------------------


def test_list_filters_and_search(manager):
    transfer = place(email="ana@example.com")
    card = place(payment_method="card", email="luis@example.com")
    cod = place(payment_method="cod", email="eva@example.com")
    coupons_services.coupon_create(code="OTONO", kind="fixed", value="5")
    shopper = make_shopper("bea@example.com")
    shopper.add(make_variant(price="30.00"), 1)
    cart_services.cart_coupon_apply(
        cart_id=shopper.cart_id, code="OTONO", customer_id=shopper.customer_id
    )
    with_coupon = shopper.place()
    old = place(email="viejo@example.com")
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))

    def numbers(**params):
        response = manager.get(reverse("sales_dashboard:list"), params)
        return {order.number for order in response.context["page"].object_list}

    assert numbers(status="paid") == {card.number}
    assert numbers(payment_method="cod") == {cod.number}
    assert numbers(email="ANA@example.com") == {transfer.number}
    assert numbers(coupon="otono") == {with_coupon.number}
    assert numbers(q="luis@") == {card.number}
    assert numbers(q=cod.number) == {cod.number}
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert old.number not in numbers(date_from=since)
    assert numbers(date_to=(timezone.localdate() - timedelta(days=30)).isoformat()) == {old.number}
    assert len(numbers(date_from="no-es-fecha")) == 5  # an invalid filter filters nothing


def test_list_is_paginated_with_a_fixed_number_of_queries(manager, django_assert_max_num_queries):
    for _ in range(3):
        place()
    with django_assert_max_num_queries(10) as few:
        assert manager.get(reverse("sales_dashboard:list")).status_code == 200
    for _ in range(27):
        place()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = manager.get(reverse("sales_dashboard:list"))
    assert len(response.context["page"].object_list) == 25
    assert response.context["page"].paginator.count == 30


def test_csv_exports_the_filtered_list(manager):
    paid = place(payment_method="card", price="100.00")
    place(payment_method="transfer")
    response = manager.get(reverse("sales_dashboard:export"), {"status": "paid"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Número", "Fecha", "Cliente", "Estado"]
    assert len(rows) == 2
    assert rows[1][0] == paid.number and rows[1][3] == "Pagado" and rows[1][11] == "100.00"


def test_csv_cells_are_not_formulas(manager):
    place(email="=cmd@example.com")
    rows = list(
        csv.reader(io.StringIO(manager.get(reverse("sales_dashboard:export")).content.decode()))
    )
    assert rows[1][2] == "'=cmd@example.com"


def test_orders_export_for_a_spanish_excel_and_as_xlsx(manager):
    place(email="@sum@example.com", payment_method="card", price="1299.99")
    response = manager.get(reverse("sales_dashboard:export_as", args=["csv-excel"]))
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][2] == "'@sum@example.com"
    assert rows[1][11] == "1299,99"
    response = manager.get(reverse("sales_dashboard:export_as", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    values = list(sheet.values)
    assert values[1][2] == "'@sum@example.com" and float(values[1][11]) == 1299.99
    assert manager.get(reverse("sales_dashboard:export_as", args=["pdf"])).status_code == 404


# --- Detail, transitions, refunds --------------------------------------------------------------


def test_detail_shows_history_payments_and_ledger(manager):
    order = place(payment_method="card", price="100.00")
    html = manager.get(detail_url(order)).content.decode()
    assert order.email in html
    assert "Pago con tarjeta aceptado" in html and "Sistema" in html
    assert "VISA •••• 4242" in html
    assert 'id="ledger"' in html and "Venta" in html and "100,00\u00a0€" in html
    assert order.payments.get().card_token not in html


def test_one_button_per_legal_transition(manager):
    transfer = place()
    html = manager.get(detail_url(transfer)).content.decode()
    assert 'name="to_status" value="paid"' in html
    assert "Marcar transferencia cobrada" in html
    assert 'name="to_status" value="cancelled"' in html
    assert 'name="to_status" value="preparing"' not in html  # a transfer is paid first
    cod = place(payment_method="cod")
    html = manager.get(detail_url(cod)).content.decode()
    assert 'value="preparing"' in html and 'value="paid"' not in html


def test_mark_transfer_paid_then_ship_and_deliver(manager):
    order = place(price="60.00")
    url = reverse("sales_dashboard:transition", args=[order.number])
    response = manager.post(url, {"to_status": "paid", "note": "Recibida el lunes"}, follow=True)
    assert response.redirect_chain[-1][0] == detail_url(order)
    html = response.content.decode()
    assert "Recibida el lunes" in html and "gestora@example.com" in html
    order.refresh_from_db()
    assert order.status == "paid" and order.paid_at
    assert LedgerEntry.objects.get().amount == Decimal("60.00")
    event = order.history.last()
    assert (event.by_id, event.note) == (manager.manager_id, "Recibida el lunes")
    for status in ("preparing", "shipped", "delivered"):
        manager.post(url, {"to_status": status})
    order.refresh_from_db()
    assert order.status == "delivered"


def test_an_illegal_transition_is_a_message_not_a_change(manager):
    order = place()
    url = reverse("sales_dashboard:transition", args=[order.number])
    response = manager.post(url, {"to_status": "delivered"}, follow=True)
    assert "no puede pasar a" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "pending_payment"
    response = manager.post(url, {"to_status": "nonsense"}, follow=True)
    assert "Elija un estado válido." in response.content.decode()


def test_manager_cancel_returns_the_stock(manager):
    order = place(quantity=3, stock=5)
    assert stock(order.variant_id) == 2
    url = reverse("sales_dashboard:transition", args=[order.number])
    manager.post(url, {"to_status": "cancelled", "note": "Sin pago"})
    order.refresh_from_db()
    assert order.status == "cancelled" and stock(order.variant_id) == 5


@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # the refund is paid out after the commit
def test_partial_refund_with_restock_then_the_rest(manager):
    order = place(payment_method="card", price="25.00", quantity=4, stock=5)
    line = order.lines.get()
    url = reverse("sales_dashboard:refund", args=[order.number])
    html = manager.get(detail_url(order)).content.decode()
    assert 'id="refund-form"' in html and f'name="restock_{line.pk}"' in html
    response = manager.post(
        url, {"amount": "25.00", f"restock_{line.pk}": "1", "note": "Devuelto"}, follow=True
    )
    assert "Reembolsados 25,00\u00a0€" in response.content.decode()
    order.refresh_from_db()
    assert order.refunded == Decimal("25.00") and order.status == "paid"
    assert stock(order.variant_id) == 2
    too_much = manager.post(url, {"amount": "1000"}, follow=True)
    assert "El reembolso debe estar entre" in too_much.content.decode()
    manager.post(url, {"amount": ""})
    order.refresh_from_db()
    assert order.status == "refunded" and order.refunded == order.total
    html = manager.get(detail_url(order)).content.decode()
    assert 'id="refund-form"' not in html


def test_refund_form_errors_are_messages(manager):
    order = place(payment_method="card", quantity=1)
    line = order.lines.get()
    url = reverse("sales_dashboard:refund", args=[order.number])
    response = manager.post(url, {"amount": "abc", f"restock_{line.pk}": "5"}, follow=True)
    html = response.content.decode()
    assert "Importe a reembolsar" in html
    order.refresh_from_db()
    assert order.refunded == 0


def test_an_unpaid_order_has_no_refund_form(manager):
    order = place()
    assert 'id="refund-form"' not in manager.get(detail_url(order)).content.decode()
    url = reverse("sales_dashboard:refund", args=[order.number])
    response = manager.post(url, {"amount": "1"}, follow=True)
    assert "Solo se reembolsan pedidos cobrados." in response.content.decode()


def test_unknown_order_is_404(manager):
    assert manager.get(reverse("sales_dashboard:detail", args=["EP-0"])).status_code == 404
    url = reverse("sales_dashboard:transition", args=["EP-0"])
    assert manager.post(url, {"to_status": "paid"}).status_code == 404
    assert manager.post(reverse("sales_dashboard:refund", args=["EP-0"])).status_code == 404


def test_names_and_notes_are_escaped(manager):
    order = place()
    url = reverse("sales_dashboard:transition", args=[order.number])
    html = manager.post(
        url, {"to_status": "paid", "note": '<script>alert("x")</script>'}, follow=True
    ).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_the_admin_shows_orders_read_only(client):
    order = place(payment_method="card")
    admin_id = accounts_services.user_create(
        email="admin@example.com", password="Clave-segura-123", role="administrator"
    )
    client.force_login(get_user_model().objects.get(pk=admin_id))
    assert client.get(reverse("admin:sales_order_changelist")).status_code == 200
    page = client.get(reverse("admin:sales_order_change", args=[order.pk]))
    assert page.status_code == 200 and order.number in page.content.decode()
    assert order.payments.get().card_token not in page.content.decode()
    assert client.get(reverse("admin:sales_payment_changelist")).status_code == 200
    assert client.get(reverse("admin:sales_ledgerentry_changelist")).status_code == 200
    assert client.post(reverse("admin:sales_order_add")).status_code == 403
