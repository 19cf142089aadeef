"""Catalogue factories. Products go through the inventory services, as other apps' would."""

from decimal import Decimal

import factory

from apps.inventory import services as inventory_services
from apps.inventory.models import Brand, Category


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Categoría {n}")
    slug = factory.Sequence(lambda n: f"categoria-{n}")


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Marca {n}")
    slug = factory.Sequence(lambda n: f"marca-{n}")


_sku = iter(range(1, 10**9))


def make_product(
    *,
    name: str = "Portátil Zenit 15",
    price: str | Decimal = "999.00",
    cost: str | Decimal = "700.00",
    stock: int = 10,
    category: Category | None = None,
    brand: Brand | None = None,
    variants: list[dict] | None = None,
    **fields,
) -> int:
    """A product through the service; ``variants`` as dicts of VariantInput fields."""
    category = category or CategoryFactory()
    specs = variants or [{"price": price, "cost": cost, "initial_stock": stock}]
    return inventory_services.product_create(
        name=name,
        category_id=category.pk,
        brand_id=brand.pk if brand else None,
        variants=[
            inventory_services.VariantInput(
                sku=spec.get("sku", f"SKU-{next(_sku):06d}"),
                price=spec.get("price", price),
                cost=spec.get("cost", cost),
                options=spec.get("options", {}),
                initial_stock=spec.get("initial_stock", stock),
            )
            for spec in specs
        ],
        **fields,
    )


def first_variant_id(product_id: int) -> int:
    from apps.inventory.models import Variant

    return (
        Variant.objects.filter(product_id=product_id).order_by("pk").values_list("pk", flat=True)[0]
    )
