from decimal import Decimal

import pytest

from apps.inventory import selectors as inventory_selectors
from apps.inventory import services as inventory_services
from apps.inventory.models import Product, StockMovement, Variant
from apps.inventory.services import StockLine
from tests.inventory.factories import CategoryFactory, first_variant_id, make_product

pytestmark = pytest.mark.django_db


def test_product_create_keeps_price_from_and_the_initial_stock_in_the_ledger():
    product_id = make_product(
        name="Móvil Astra 5G",
        variants=[
            {
                "sku": "AST-128",
                "price": "499.90",
                "options": {"Capacidad": "128 GB"},
                "initial_stock": 4,
            },
            {
                "sku": "AST-256",
                "price": "579.90",
                "options": {"Capacidad": "256 GB"},
                "initial_stock": 2,
            },
        ],
    )
    product = Product.objects.get(pk=product_id)
    assert product.price_from == Decimal("499.90")
    assert product.slug == "movil-astra-5g"
    assert "AST-256" in product.search_document
    assert list(Variant.objects.filter(product=product).values_list("on_hand", flat=True)) == [4, 2]
    assert StockMovement.objects.filter(kind="receipt").count() == 2


@pytest.mark.parametrize(
    ("price", "code_field"),
    [("-5", "price"), ("abc", "price"), ("0", "price")],
)
def test_product_create_refuses_bad_prices(price, code_field):
    with pytest.raises(inventory_services.InventoryValidationError) as error:
        make_product(price=price)
    assert code_field in error.value.details
    assert not Product.objects.exists()


def test_duplicate_sku_is_refused_and_nothing_is_written():
    make_product(variants=[{"sku": "DUP-1", "price": "10"}])
    with pytest.raises(inventory_services.InventoryValidationError):
        make_product(name="Otro", variants=[{"sku": "dup-1", "price": "10"}])
    assert Product.objects.count() == 1


def test_reserve_takes_stock_and_writes_sale_movements():
    a = first_variant_id(make_product(stock=5))
    b = first_variant_id(make_product(name="Ratón", stock=3))
    inventory_services.stock_reserve(
        lines=[StockLine(b, 1), StockLine(a, 2), StockLine(a, 1)], reference="EP-2026-000001"
    )
    assert inventory_selectors.variant_stock(variant_id=a) == 2
    assert inventory_selectors.variant_stock(variant_id=b) == 2
    sales = StockMovement.objects.filter(kind="sale", reference="EP-2026-000001")
    assert sorted(sales.values_list("quantity", flat=True)) == [-3, -1]


def test_reserve_is_all_or_nothing():
    a = first_variant_id(make_product(stock=5))
    b = first_variant_id(make_product(name="Cable HDMI", stock=1))
    with pytest.raises(inventory_services.OutOfStockError) as error:
        inventory_services.stock_reserve(
            lines=[StockLine(a, 2), StockLine(b, 2)], reference="EP-2026-000002"
        )
    assert error.value.details == {
        "variant_id": b,
        "sku": error.value.details["sku"],
        "requested": 2,
        "available": 1,
    }
    assert "Cable HDMI" in error.value.message
    assert inventory_selectors.variant_stock(variant_id=a) == 5
    assert not StockMovement.objects.filter(kind="sale").exists()


def test_reserve_refuses_an_inactive_product():
    product_id = make_product(stock=5)
    inventory_services.product_update(product_id=product_id, is_active=False)
    with pytest.raises(inventory_services.ProductUnavailableError):
        inventory_services.stock_reserve(
            lines=[StockLine(first_variant_id(product_id), 1)], reference="EP-X"
        )


def test_return_gives_stock_back_with_a_movement():
    a = first_variant_id(make_product(stock=2))
    inventory_services.stock_reserve(lines=[StockLine(a, 2)], reference="EP-3")
    inventory_services.stock_return(lines=[StockLine(a, 2)], reference="EP-3")
    assert inventory_selectors.variant_stock(variant_id=a) == 2
    assert StockMovement.objects.get(kind="cancellation").quantity == 2


def test_adjust_needs_a_reason_and_never_goes_below_zero():
    a = first_variant_id(make_product(stock=3))
    with pytest.raises(inventory_services.InventoryValidationError):
        inventory_services.stock_adjust(variant_id=a, delta=-1, reason="  ", user_id=None)
    with pytest.raises(inventory_services.OutOfStockError):
        inventory_services.stock_adjust(variant_id=a, delta=-4, reason="Rotura", user_id=None)
    assert (
        inventory_services.stock_adjust(variant_id=a, delta=-3, reason="Rotura", user_id=None) == 0
    )


def test_receive_refuses_zero_or_negative():
    a = first_variant_id(make_product(stock=0))
    for quantity in (0, -2):
        with pytest.raises(inventory_services.InventoryValidationError):
            inventory_services.stock_receive(variant_id=a, quantity=quantity, user_id=None)
    assert inventory_services.stock_receive(variant_id=a, quantity=7, user_id=None) == 7


def test_sales_rank_counts_net_units_sold():
    a = first_variant_id(make_product(stock=10))
    b_product = make_product(name="Auriculares", stock=10)
    inventory_services.stock_reserve(lines=[StockLine(a, 4)], reference="EP-4")
    inventory_services.stock_return(lines=[StockLine(a, 1)], reference="EP-4", kind="return")
    inventory_services.product_sales_rank_refresh()
    ranks = dict(Product.objects.values_list("pk", "units_sold_30d"))
    assert ranks[b_product] == 0
    assert ranks[Variant.objects.get(pk=a).product_id] == 3


def test_variant_get_many_gives_plain_values_for_other_apps():
    parent = CategoryFactory(name="Informática", slug="informatica")
    child = CategoryFactory(name="Portátiles", slug="portatiles", parent=parent)
    a = first_variant_id(make_product(stock=0, category=child, price="10.50"))
    info = inventory_selectors.variant_get_many(variant_ids=[a, 999999])
    assert set(info) == {a}
    assert info[a].price == Decimal("10.50")
    assert info[a].is_available is False
    assert info[a].category_ids == (parent.pk, child.pk)


def test_category_cannot_hang_below_itself():
    parent = CategoryFactory()
    child = CategoryFactory(parent=parent)
    with pytest.raises(inventory_services.InventoryValidationError):
        inventory_services.category_update(category_id=parent.pk, parent_id=child.pk)


def test_bulk_load_writes_the_same_derived_columns_and_ledger_as_one_by_one():
    from decimal import Decimal as D

    parent = CategoryFactory(name="Informática", slug="informatica")
    child = CategoryFactory(name="Portátiles", slug="portatiles", parent=parent)
    seen = []
    loaded = inventory_services.catalogue_bulk_load(
        products=(
            inventory_services.BulkProduct(
                name="Portátil Zenit 15",  # the same name each time: slugs must stay unique
                category_id=child.pk,
                specifications=[["Pantalla", "15,6"]],
                variants=[
                    inventory_services.VariantInput(
                        sku=f"BULK-{i}-A", price="899.00", initial_stock=i % 3
                    ),
                    inventory_services.VariantInput(
                        sku=f"BULK-{i}-B", price="799.00", initial_stock=2
                    ),
                ],
            )
            for i in range(25)
        ),
        batch_size=10,
        progress=seen.append,
    )
    assert loaded == 25 and seen == [10, 20, 25]
    products = Product.objects.filter(category=child)
    assert products.values("slug").distinct().count() == 25
    product = products.order_by("pk").first()
    assert product.price_from == D("799.00")
    assert "portatil" in product.search_document and "Informática" in product.search_document
    assert StockMovement.objects.filter(kind="receipt").count() == 25 + 16  # B always, A when i % 3
    # (the ledger check after the test proves on_hand equals the movements)


def test_bulk_load_refuses_duplicate_skus_and_writes_nothing_of_that_batch():
    category = CategoryFactory()
    with pytest.raises(inventory_services.InventoryValidationError):
        inventory_services.catalogue_bulk_load(
            products=[
                inventory_services.BulkProduct(
                    name=f"P{i}",
                    category_id=category.pk,
                    variants=[inventory_services.VariantInput(sku="SAME", price="1.00")],
                )
                for i in range(2)
            ]
        )
    assert not Product.objects.exists()
