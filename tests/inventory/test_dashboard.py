import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from apps.accounts import services as accounts_services
from apps.inventory import selectors as inventory_selectors
from apps.inventory import services as inventory_services
from apps.inventory.models import Brand, Category, Product, StockMovement, Variant
from tests.inventory.factories import BrandFactory, CategoryFactory, first_variant_id, make_product

pytestmark = pytest.mark.django_db


def _login(client, role: str):
    user_id = accounts_services.user_create(
        email=f"{role}@example.com", password="una-clave-segura-123", role=role
    )
    client.force_login(get_user_model().objects.get(pk=user_id))
    return user_id


@pytest.fixture
def manager(client):
    return _login(client, "manager")


def _pages():
    product_id = make_product()
    variant_id = first_variant_id(product_id)
    category_id = Category.objects.values_list("pk", flat=True).first()
    brand_id = BrandFactory().pk
    return [
        ("get", reverse("inventory_dashboard:product_list")),
        ("get", reverse("inventory_dashboard:product_create")),
        ("get", reverse("inventory_dashboard:product_edit", args=[product_id])),
        ("post", reverse("inventory_dashboard:product_toggle", args=[product_id])),
        ("get", reverse("inventory_dashboard:variant_add", args=[product_id])),
        ("get", reverse("inventory_dashboard:product_movements", args=[product_id])),
        ("get", reverse("inventory_dashboard:variant_stock", args=[variant_id])),
        ("get", reverse("inventory_dashboard:category_list")),
        ("get", reverse("inventory_dashboard:category_create")),
        ("get", reverse("inventory_dashboard:category_edit", args=[category_id])),
        ("post", reverse("inventory_dashboard:category_toggle", args=[category_id])),
        ("get", reverse("inventory_dashboard:brand_list")),
        ("get", reverse("inventory_dashboard:brand_create")),
        ("get", reverse("inventory_dashboard:brand_edit", args=[brand_id])),
        ("post", reverse("inventory_dashboard:brand_toggle", args=[brand_id])),
        ("get", reverse("inventory_dashboard:movement_list")),
        ("get", reverse("inventory_dashboard:low_stock")),
        ("get", reverse("inventory_dashboard:valuation")),
        ("get", reverse("inventory_dashboard:valuation_export", args=["csv"])),
        ("get", reverse("inventory_dashboard:import")),
        ("post", reverse("inventory_dashboard:import_confirm")),
        ("get", reverse("inventory_dashboard:export", args=["products", "csv"])),
    ]


def test_every_page_is_for_managers_only(client):
    pages = _pages()
    for method, url in pages:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert reverse("accounts:login") in response["Location"], url

    _login(client, "customer")
    for method, url in pages:
        assert getattr(client, method)(url).status_code == 403, url


def test_every_page_renders_for_a_manager(client, manager):
    for method, url in _pages():
        if method == "get":
            assert client.get(url).status_code == 200, url


# --- Products --------------------------------------------------------------------------


def test_product_list_search_and_filters(client, manager):
    laptops = CategoryFactory(name="Portátiles", slug="portatiles")
    zenit = BrandFactory(name="Zenit")
    make_product(
        name="Portátil Zenit 15",
        category=laptops,
        brand=zenit,
        variants=[{"sku": "ZEN-15", "price": "999", "initial_stock": 2}],
    )
    make_product(
        name="Ratón óptico", variants=[{"sku": "RAT-1", "price": "9.99", "initial_stock": 50}]
    )
    hidden = make_product(
        name="Cable viejo", variants=[{"sku": "CAB-0", "price": "3", "initial_stock": 20}]
    )
    inventory_services.product_update(product_id=hidden, is_active=False)
    url = reverse("inventory_dashboard:product_list")

    def names(**params):
        return [p.name for p in client.get(url, params).context["page"].object_list]

    assert names() == ["Cable viejo", "Portátil Zenit 15", "Ratón óptico"]
    assert names(q="rat-1") == ["Ratón óptico"]
    assert names(q="zenit") == ["Portátil Zenit 15"]
    assert names(category=laptops.pk) == ["Portátil Zenit 15"]
    assert names(brand=zenit.pk) == ["Portátil Zenit 15"]
    assert names(active="0") == ["Cable viejo"]
    assert names(low_stock="on") == ["Portátil Zenit 15"]  # 2 <= threshold 5


def test_product_list_runs_a_constant_number_of_queries(
    client, manager, django_assert_max_num_queries
):
    category = CategoryFactory()
    brand = BrandFactory()
    for n in range(30):
        make_product(
            name=f"Producto {n:02d}",
            category=category,
            brand=brand,
            variants=[{"sku": f"Q-{n}-A", "price": "10"}, {"sku": f"Q-{n}-B", "price": "12"}],
        )
    url = reverse("inventory_dashboard:product_list")
    # session + user + filter choices (categories, brands) + count + page
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 25
    assert response.context["page"].object_list[0].variant_count == 2
    with django_assert_max_num_queries(8):
        client.get(url, {"page": 2, "q": "Producto"})


def test_create_a_product_with_specifications_and_variants(client, manager):
    category = CategoryFactory()
    brand = BrandFactory(name="Astra")
    data = {
        "name": "Móvil Astra 5G",
        "category": category.pk,
        "brand": brand.pk,
        "description": "Un móvil.",
        "is_active": "on",
        "specs-TOTAL_FORMS": "3",
        "specs-INITIAL_FORMS": "0",
        "specs-0-name": "Pantalla",
        "specs-0-value": '6,1"',
        "variants-TOTAL_FORMS": "2",
        "variants-INITIAL_FORMS": "0",
        "variants-0-sku": "ast-128",
        "variants-0-options": "Capacidad: 128 GB",
        "variants-0-price": "499.90",
        "variants-0-cost": "350",
        "variants-0-low_stock_threshold": "3",
        "variants-0-initial_stock": "4",
        "variants-0-is_active": "on",
        "variants-1-sku": "AST-256",
        "variants-1-options": "Capacidad: 256 GB",
        "variants-1-price": "579.90",
        "variants-1-cost": "400",
        "variants-1-low_stock_threshold": "3",
        "variants-1-initial_stock": "0",
        "variants-1-is_active": "on",
    }
    response = client.post(reverse("inventory_dashboard:product_create"), data)

    product = Product.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory_dashboard:product_edit", args=[product.pk])
    assert product.specifications == [["Pantalla", '6,1"']]
    assert product.price_from == Decimal("499.90")
    variant = Variant.objects.get(sku="AST-128")
    assert variant.options == {"Capacidad": "128 GB"}
    assert variant.on_hand == 4
    assert StockMovement.objects.get(variant=variant).user_id == manager


def test_create_shows_service_errors_next_to_the_field(client, manager):
    make_product(variants=[{"sku": "TAKEN-1", "price": "10"}])
    category = CategoryFactory()
    data = {
        "name": "Otro",
        "category": category.pk,
        "specs-TOTAL_FORMS": "0",
        "specs-INITIAL_FORMS": "0",
        "variants-TOTAL_FORMS": "1",
        "variants-INITIAL_FORMS": "0",
        "variants-0-sku": "taken-1",
        "variants-0-price": "10",
        "variants-0-cost": "0",
        "variants-0-low_stock_threshold": "5",
        "variants-0-initial_stock": "0",
    }
    response = client.post(reverse("inventory_dashboard:product_create"), data)

    assert response.status_code == 200
    variant_form = response.context["variants"].forms[0]
    assert "TAKEN-1" in variant_form.errors["sku"][0]
    assert 'aria-invalid="true"' in response.content.decode()
    assert Product.objects.count() == 1

    data["variants-0-sku"] = "NEW-1"
    data["variants-0-price"] = "-3"
    response = client.post(reverse("inventory_dashboard:product_create"), data)
    assert "price" in response.context["variants"].forms[0].errors


def test_edit_a_product_and_its_variants(client, manager):
    product_id = make_product(
        name="Tablet", variants=[{"sku": "TAB-A", "price": "300"}, {"sku": "TAB-B", "price": "350"}]
    )
    variants = list(Variant.objects.filter(product_id=product_id).order_by("pk"))
    category = Category.objects.get()
    data = {
        "name": "Tablet Pro",
        "category": category.pk,
        "brand": "",
        "description": "",
        "is_active": "on",
        "is_featured": "on",
        "specs-TOTAL_FORMS": "1",
        "specs-INITIAL_FORMS": "0",
        "specs-0-name": "Peso",
        "specs-0-value": "480 g",
        "variants-TOTAL_FORMS": "2",
        "variants-INITIAL_FORMS": "2",
    }
    for i, (variant, price) in enumerate(zip(variants, ["299.00", "250.00"], strict=True)):
        data.update(
            {
                f"variants-{i}-variant_id": variant.pk,
                f"variants-{i}-options": "Color: Gris",
                f"variants-{i}-price": price,
                f"variants-{i}-cost": "100",
                f"variants-{i}-low_stock_threshold": "2",
                f"variants-{i}-is_active": "on",
            }
        )
    response = client.post(reverse("inventory_dashboard:product_edit", args=[product_id]), data)

    assert response.status_code == 302
    product = Product.objects.get(pk=product_id)
    assert (product.name, product.is_featured, product.price_from) == (
        "Tablet Pro",
        True,
        Decimal("250.00"),
    )
    assert product.specifications == [["Peso", "480 g"]]
    assert Variant.objects.get(sku="TAB-B").options == {"Color": "Gris"}


def test_add_a_variant_and_deactivate_and_reactivate(client, manager):
    product_id = make_product(variants=[{"sku": "BASE-1", "price": "100"}])
    response = client.post(
        reverse("inventory_dashboard:variant_add", args=[product_id]),
        {
            "new-sku": "base-2",
            "new-price": "80",
            "new-cost": "40",
            "new-low_stock_threshold": "1",
            "new-initial_stock": "3",
            "new-is_active": "on",
        },
    )
    assert response.status_code == 302
    assert Variant.objects.get(sku="BASE-2").on_hand == 3
    assert Product.objects.get(pk=product_id).price_from == Decimal("80.00")

    toggle = reverse("inventory_dashboard:product_toggle", args=[product_id])
    client.post(toggle)
    assert not Product.objects.get(pk=product_id).is_active
    client.post(toggle)
    assert Product.objects.get(pk=product_id).is_active
    assert client.get(toggle).status_code == 405


# --- Categories and brands -----------------------------------------------------------------


def test_category_create_edit_and_deactivate(client, manager):
    response = client.post(
        reverse("inventory_dashboard:category_create"),
        {"name": "Sonido", "icon": "speaker", "position": "2", "is_active": "on"},
    )
    assert response.status_code == 302
    parent = Category.objects.get(name="Sonido")
    client.post(
        reverse("inventory_dashboard:category_create"),
        {
            "name": "Altavoces",
            "parent": parent.pk,
            "icon": "speaker",
            "position": "0",
            "is_active": "on",
        },
    )
    child = Category.objects.get(name="Altavoces")
    assert child.parent_id == parent.pk

    rows = client.get(reverse("inventory_dashboard:category_list")).context["categories"]
    assert [(row["name"], row["depth"]) for row in rows] == [("Sonido", 0), ("Altavoces", 1)]

    # A category cannot hang below its own child: the service error shows on the field.
    response = client.post(
        reverse("inventory_dashboard:category_edit", args=[parent.pk]),
        {
            "name": "Sonido",
            "parent": child.pk,
            "icon": "speaker",
            "position": "2",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors

    client.post(reverse("inventory_dashboard:category_toggle", args=[child.pk]))
    assert not Category.objects.get(pk=child.pk).is_active
    response = client.post(
        reverse("inventory_dashboard:category_create"),
        {"name": "X", "icon": "<b>", "position": "0"},
    )
    assert "icon" in response.context["form"].errors


def test_brand_create_duplicate_edit_and_deactivate(client, manager):
    client.post(reverse("inventory_dashboard:brand_create"), {"name": "Lumo", "is_active": "on"})
    brand = Brand.objects.get(name="Lumo")
    response = client.post(
        reverse("inventory_dashboard:brand_create"), {"name": "lumo", "is_active": "on"}
    )
    assert "name" in response.context["form"].errors
    client.post(
        reverse("inventory_dashboard:brand_edit", args=[brand.pk]),
        {"name": "Lumo Audio", "is_active": "on"},
    )
    assert Brand.objects.get(pk=brand.pk).name == "Lumo Audio"
    client.post(reverse("inventory_dashboard:brand_toggle", args=[brand.pk]))
    assert not Brand.objects.get(pk=brand.pk).is_active


# --- Stock -------------------------------------------------------------------------------


def test_receive_and_adjust_stock(client, manager):
    variant_id = first_variant_id(make_product(stock=2))
    url = reverse("inventory_dashboard:variant_stock", args=[variant_id])

    response = client.post(
        url, {"action": "receive", "receive-quantity": "10", "receive-reference": "ALB-77"}
    )
    assert response.status_code == 302
    assert inventory_selectors.variant_stock(variant_id=variant_id) == 12
    receipt = StockMovement.objects.get(reference="ALB-77")
    assert (receipt.kind, receipt.quantity, receipt.user_id) == ("receipt", 10, manager)

    # An adjustment needs a reason.
    response = client.post(url, {"action": "adjust", "adjust-delta": "-3", "adjust-reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["adjust"].errors
    # It cannot take stock below zero: the service's message shows next to the amount.
    response = client.post(
        url, {"action": "adjust", "adjust-delta": "-50", "adjust-reason": "Rotura"}
    )
    assert "por debajo de cero" in response.context["adjust"].errors["delta"][0]

    response = client.post(
        url, {"action": "adjust", "adjust-delta": "-3", "adjust-reason": "Rotura"}
    )
    assert response.status_code == 302
    assert inventory_selectors.variant_stock(variant_id=variant_id) == 9
    assert StockMovement.objects.get(kind="adjustment").reason == "Rotura"


def test_movement_history_filters_and_pages(client, manager):
    a = first_variant_id(
        make_product(name="Alfa", variants=[{"sku": "ALF-1", "price": "10", "initial_stock": 1}])
    )
    b = first_variant_id(
        make_product(name="Beta", variants=[{"sku": "BET-1", "price": "10", "initial_stock": 1}])
    )
    for n in range(55):
        inventory_services.stock_receive(
            variant_id=a, quantity=1, reference=f"REF-{n}", user_id=None
        )
    inventory_services.stock_adjust(variant_id=b, delta=-1, reason="Pérdida", user_id=None)
    url = reverse("inventory_dashboard:movement_list")

    page = client.get(url).context["page"]
    assert page.paginator.count == 58
    assert len(page.object_list) == 50
    assert client.get(url, {"page": 2}).context["page"].object_list.__len__() == 8
    assert client.get(url, {"kind": "adjustment"}).context["page"].paginator.count == 1
    assert client.get(url, {"q": "bet-1"}).context["page"].paginator.count == 2
    assert (
        client.get(url, {"q": "REF-5"}).context["page"].paginator.count == 1 + 5
    )  # REF-5, REF-50..54
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    assert (
        client.get(url, {"date_from": today, "date_to": today}).context["page"].paginator.count
        == 58
    )
    assert client.get(url, {"date_to": "2000-01-01"}).context["page"].paginator.count == 0
    product_id = Variant.objects.get(pk=b).product_id
    response = client.get(reverse("inventory_dashboard:product_movements", args=[product_id]))
    assert response.context["page"].paginator.count == 2


def test_low_stock_lists_active_variants_at_or_below_their_threshold(client, manager):
    make_product(name="Justo", variants=[{"sku": "LOW-5", "price": "10", "initial_stock": 5}])
    make_product(name="Sobrado", variants=[{"sku": "OK-6", "price": "10", "initial_stock": 6}])
    off = make_product(
        name="Apagado", variants=[{"sku": "OFF-0", "price": "10", "initial_stock": 0}]
    )
    inventory_services.product_update(product_id=off, is_active=False)

    response = client.get(reverse("inventory_dashboard:low_stock"))
    assert [v.sku for v in response.context["variants"]] == ["LOW-5"]


# --- Valuation ---------------------------------------------------------------------------


@pytest.fixture
def stocked():
    sound = CategoryFactory(name="Sonido", slug="sonido")
    phones = CategoryFactory(name="Móviles", slug="moviles")
    make_product(
        category=sound,
        variants=[{"sku": "S-1", "price": "50", "cost": "10.10", "initial_stock": 3}],
    )
    make_product(
        category=sound, variants=[{"sku": "S-2", "price": "50", "cost": "0.10", "initial_stock": 7}]
    )
    make_product(
        category=phones,
        variants=[{"sku": "M-1", "price": "500", "cost": "333.33", "initial_stock": 3}],
    )
    make_product(
        category=phones,
        variants=[{"sku": "M-0", "price": "500", "cost": "100", "initial_stock": 0}],
    )


def test_valuation_numbers(stocked):
    valuation = inventory_selectors.inventory_valuation()
    assert [(r.category, r.variants, r.units, r.value) for r in valuation.rows] == [
        ("Móviles", 1, 3, Decimal("999.99")),
        ("Sonido", 2, 10, Decimal("31.00")),
    ]
    assert valuation.units == 13
    assert valuation.value == Decimal("1030.99")


def test_valuation_page_and_exports(client, manager, stocked):
    response = client.get(reverse("inventory_dashboard:valuation"))
    assert "1.030,99\u00a0€" in response.content.decode()

    response = client.get(reverse("inventory_dashboard:valuation_export", args=["csv"]))
    assert response["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows == [
        ["Categoría", "Variantes", "Unidades", "Valor a coste"],
        ["Móviles", "1", "3", "999.99"],
        ["Sonido", "2", "10", "31.00"],
        ["Total", "3", "13", "1030.99"],
    ]

    response = client.get(reverse("inventory_dashboard:valuation_export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[-1][0] == "Total"
    assert Decimal(str(values[-1][3])) == Decimal("1030.99")
    assert (
        client.get(reverse("inventory_dashboard:valuation_export", args=["pdf"])).status_code == 404
    )


def test_dashboard_nav_links_to_the_catalogue(client, manager):
    html = client.get(reverse("inventory_dashboard:product_list")).content.decode()
    for name in (
        "category_list",
        "brand_list",
        "movement_list",
        "low_stock",
        "valuation",
        "import",
    ):
        assert reverse(f"inventory_dashboard:{name}") in html
    assert "<script>" not in html
    assert 'style="' not in html


def test_product_edit_is_one_transaction_and_names_the_failing_variant():
    product_id = make_product(
        name="Antes", variants=[{"sku": "TX-1", "price": "10"}, {"sku": "TX-2", "price": "20"}]
    )
    first, second = Variant.objects.filter(product_id=product_id).order_by("pk")
    with pytest.raises(inventory_services.InventoryValidationError) as error:
        inventory_services.product_edit(
            product_id=product_id,
            name="Después",
            variants={first.pk: {"price": "5"}, second.pk: {"price": "-1"}},
        )
    assert error.value.details == {"variant_id": second.pk, "price": "out_of_range"}
    assert Product.objects.get(pk=product_id).name == "Antes"
    assert Variant.objects.get(pk=first.pk).price == Decimal("10.00")


def test_variant_form_errors_from_the_service_land_on_the_row():
    from apps.inventory import forms as inventory_forms

    formset = inventory_forms.VariantEditFormSet(
        {
            "variants-TOTAL_FORMS": "1",
            "variants-INITIAL_FORMS": "1",
            "variants-0-variant_id": "7",
            "variants-0-price": "10",
            "variants-0-cost": "1",
            "variants-0-low_stock_threshold": "1",
        },
        prefix="variants",
    )
    assert formset.is_valid()
    from apps.inventory.views.dashboard.products import _variant_error

    error = inventory_services.InventoryValidationError(
        "El importe debe ser mayor que cero.", details={"variant_id": 7, "price": "out_of_range"}
    )
    assert _variant_error(formset, error)
    assert formset.forms[0].errors["price"] == ["El importe debe ser mayor que cero."]


def test_a_manager_gives_a_category_its_english_name(client, manager):
    client.post(
        reverse("inventory_dashboard:category_create"),
        {
            "name": "Sonido",
            "name_en": "Audio",
            "icon": "speaker",
            "position": "0",
            "is_active": "on",
        },
    )
    category = Category.objects.get(name="Sonido")
    assert category.name_en == "Audio"
    edit = reverse("inventory_dashboard:category_edit", args=[category.pk])
    assert 'value="Audio"' in client.get(edit).content.decode()
    client.post(
        edit,
        {
            "name": "Sonido",
            "name_en": " Sound ",
            "icon": "speaker",
            "position": "0",
            "is_active": "on",
        },
    )
    assert Category.objects.get(pk=category.pk).name_en == "Sound"
