"""The shop's catalogue pages through the test client, with their query counts."""

import pytest
from django.urls import reverse

from apps.inventory import selectors as inventory_selectors
from apps.inventory import services as inventory_services
from apps.inventory.models import Category, Product
from tests.inventory.factories import BrandFactory, CategoryFactory, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    informatica = CategoryFactory(name="Informática", slug="informatica", icon="laptop")
    portatiles = CategoryFactory(name="Portátiles", slug="portatiles", parent=informatica)
    sonido = CategoryFactory(name="Sonido", slug="sonido")
    astra = BrandFactory(name="Astra", slug="astra")
    boreal = BrandFactory(name="Boreal", slug="boreal")
    ids = {
        "cheap": make_product(
            name="Portátil Astra Air 13",
            price="499.00",
            category=portatiles,
            brand=astra,
            is_featured=True,
        ),
        "dear": make_product(
            name="Portátil Boreal Pro 16", price="1999.00", category=portatiles, brand=boreal
        ),
        "empty": make_product(
            name="Auriculares Boreal NC", price="149.00", category=sonido, brand=boreal, stock=0
        ),
    }
    return ids


def _names(response):
    return [product.name for product in response.context["products"]]


def test_home_shows_categories_featured_and_new(client, catalogue):
    response = client.get("/")
    assert response.status_code == 200
    assert [c.name for c in response.context["top_categories"]] == ["Informática", "Sonido"]
    assert [p.name for p in response.context["featured"]] == ["Portátil Astra Air 13"]
    assert len(response.context["new"]) == 3


def test_category_page_includes_its_subcategories(client, catalogue):
    response = client.get(reverse("inventory:category", args=["informatica"]))
    assert response.status_code == 200
    assert sorted(_names(response)) == ["Portátil Astra Air 13", "Portátil Boreal Pro 16"]
    assert [c.name for c in response.context["breadcrumbs"]] == ["Informática"]


def test_unknown_category_is_a_404(client, catalogue):
    assert client.get(reverse("inventory:category", args=["no-existe"])).status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("marca=boreal", ["Auriculares Boreal NC", "Portátil Boreal Pro 16"]),
        ("precio_min=400&precio_max=600", ["Portátil Astra Air 13"]),
        ("disponible=1&orden=price_desc", ["Portátil Boreal Pro 16", "Portátil Astra Air 13"]),
        (
            "orden=price_asc",
            ["Auriculares Boreal NC", "Portátil Astra Air 13", "Portátil Boreal Pro 16"],
        ),
        (
            "orden=name",
            ["Auriculares Boreal NC", "Portátil Astra Air 13", "Portátil Boreal Pro 16"],
        ),
        ("q=portatil+pro", ["Portátil Boreal Pro 16"]),
        ("precio_min=abc&orden=nonsense", None),  # ignored, not an error
    ],
)
def test_product_list_filters_and_sorts_from_the_url(client, catalogue, query, expected):
    response = client.get(f"/productos/?{query}")
    assert response.status_code == 200
    names = _names(response)
    if expected is None:
        assert len(names) == 3
    elif "orden=" in query:
        assert names == expected
    else:
        assert sorted(names) == sorted(expected)


def test_search_with_no_results_says_so(client, catalogue):
    response = client.get("/productos/?q=tostadora")
    assert response.status_code == 200
    html = response.content.decode()
    assert "No hay productos que coincidan" in html
    assert response.context["page"].paginator.count == 0


def test_search_terms_are_escaped(client, catalogue):
    response = client.get('/productos/?q=<script>alert("x")</script>')
    html = response.content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


def test_inactive_products_are_hidden(client, catalogue):
    inventory_services.product_update(product_id=catalogue["dear"], is_active=False)
    response = client.get("/productos/")
    assert "Portátil Boreal Pro 16" not in _names(response)
    assert (
        client.get(reverse("inventory:product", args=["portatil-boreal-pro-16"])).status_code == 404
    )


def test_product_page_shows_price_stock_specs_and_variants(client):
    category = CategoryFactory(name="Smartphones", slug="smartphones")
    make_product(
        name="Astra One 5G",
        category=category,
        specifications=[["Pantalla", '6,1" OLED'], ["Batería", "5000 mAh"]],
        variants=[
            {
                "sku": "ONE-128",
                "price": "499.00",
                "options": {"Capacidad": "128 GB"},
                "initial_stock": 0,
            },
            {
                "sku": "ONE-256",
                "price": "579.00",
                "options": {"Capacidad": "256 GB"},
                "initial_stock": 3,
            },
        ],
    )
    response = client.get("/producto/astra-one-5g/")
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["selected"].sku == "ONE-256"  # the first one in stock
    assert "579,00" in html and "Solo quedan 3" in html
    assert "5000 mAh" in html
    assert '<link rel="canonical" href="http://testserver/producto/astra-one-5g/">' in html

    response = client.get("/producto/astra-one-5g/?variante=ONE-128")
    assert response.context["selected"].sku == "ONE-128"
    assert "Agotado" in response.content.decode()


def _many_products(n):
    category = CategoryFactory(name="Cables", slug="cables")
    brand = BrandFactory(name="Lumen", slug="lumen")
    for i in range(n):
        make_product(name=f"Cable {i}", category=category, brand=brand, price=f"{10 + i}.00")


@pytest.mark.parametrize("per_page", [12, 48])
def test_product_list_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, per_page
):
    _many_products(50)
    client.get("/productos/")  # warm the category tree cache
    with django_assert_max_num_queries(5):
        response = client.get(f"/productos/?por_pagina={per_page}&orden=price_asc")
    assert len(response.context["products"]) == per_page


def test_home_and_product_page_run_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    _many_products(30)
    client.get("/")
    with django_assert_max_num_queries(5):
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get("/producto/cable-3/").status_code == 200


def _phone_with_a_sold_out_cheap_option():
    category = CategoryFactory(name="Smartphones", slug="smartphones")
    make_product(
        name="Boreal Neo 5G",
        category=category,
        variants=[
            {
                "sku": "NEO-64",
                "price": "199.00",
                "options": {"Capacidad": "64 GB"},
                "initial_stock": 0,
            },
            {
                "sku": "NEO-128",
                "price": "1249.00",
                "options": {"Capacidad": "128 GB"},
                "initial_stock": 2,
            },
        ],
    )


@pytest.mark.parametrize("url", ["/productos/", "/categoria/smartphones/", "/"])
def test_a_card_shows_the_price_of_an_option_that_can_be_bought(client, url):
    _phone_with_a_sold_out_cheap_option()
    Product.objects.update(is_featured=True)  # so the home shows it too
    html = client.get(url).content.decode()
    card = html[html.index("Boreal Neo 5G") :]
    card = card[: card.index("</div>\n</div>")]
    assert "249,00" in card and "En stock" in card
    assert "199,00" not in card


def test_a_card_of_a_product_sold_out_everywhere_shows_its_lowest_price_and_agotado(client):
    category = CategoryFactory(name="Smartphones", slug="smartphones")
    make_product(name="Kappa Lite", category=category, price="149.00", stock=0)
    html = client.get("/productos/").content.decode()
    card = html[html.index("Kappa Lite") :]
    assert "149,00" in card and "Agotado" in card


def test_product_page_labels_sold_out_options_agotado(client):
    _phone_with_a_sold_out_cheap_option()
    response = client.get("/producto/boreal-neo-5g/")
    assert response.context["selected"].sku == "NEO-128"
    html = response.content.decode()
    sold_out = html[html.index('href="?variante=NEO-64"') :]
    sold_out = sold_out[: sold_out.index("</a>")]
    assert "Agotado" in sold_out
    available = html[html.index('href="?variante=NEO-128"') :]
    available = available[: available.index("</a>")]
    assert "Agotado" not in available and "249,00" in available


@pytest.mark.parametrize("url", ["/productos/?q=portatil", "/categoria/portatiles/"])
def test_filters_fold_behind_a_filtros_button_on_small_screens(client, catalogue, url):
    html = client.get(url).content.decode()
    assert 'class="offcanvas-lg offcanvas-start" tabindex="-1" id="filters"' in html
    assert 'data-bs-toggle="offcanvas" data-bs-target="#filters"' in html
    assert html.index('id="filters"') < html.index('name="marca"')
    assert "<script>" not in html and "style=" not in html  # the CSP allows neither


def test_prices_are_written_the_way_the_visitor_s_language_writes_them(client):
    category = CategoryFactory(name="Portátiles", slug="portatiles")
    make_product(name="Portátil Zenit 15", category=category, price="1299.99")
    for url in ("/productos/", "/producto/portatil-zenit-15/"):
        assert "1.299,99\u00a0€" in client.get(url).content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for url in ("/productos/", "/producto/portatil-zenit-15/"):
        html = client.get(url).content.decode()
        assert "€1,299.99" in html and "1.299,99" not in html


def test_english_visitors_read_category_names_and_the_banner_in_english(client, catalogue):
    Category.objects.filter(slug="informatica").update(name_en="Computing")
    Category.objects.filter(slug="portatiles").update(name_en="Laptops")
    inventory_selectors.category_tree_invalidate()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    home = client.get("/").content.decode()
    assert "Technology that moves you" in home and "Tecnología que te mueve" not in home
    assert ">Computing<" in home and "Informática" not in home
    assert ">Sonido<" in home  # no English name given: the Spanish one, never an empty link

    page = client.get("/categoria/portatiles/").content.decode()
    assert "<title>Laptops · ElectroPluz</title>" in page
    assert ">Computing</a>" in page and "Portátiles<" not in page
    product = client.get("/producto/portatil-astra-air-13/").content.decode()
    assert ">Laptops</a>" in product

    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert ">Informática<" in client.get("/").content.decode()
