"""django-import-export resources: the columns of each kind of catalogue file, and its export.

The columns are the import's own (``services.import_rows``), so an export imports back
unchanged. Imports never run through ``import_data``: the admin's import button hands the
file to the one import engine (``services.import_job_create``, see ``admin``), like the
dashboard and the command.
"""

from django.db.models import QuerySet
from import_export import fields, resources

from apps.core import spreadsheets

from .models import Brand, Category, Variant
from .services import import_files
from .services.import_products import ProductRules
from .services.import_rows import BrandRules, CategoryRules, StockRules


def _column(name: str, attribute: str | None = None) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=name)


class CatalogueResource(resources.ModelResource):
    """A resource that exports (made safe for spreadsheets) and never imports by itself."""

    kind = ""

    class Meta:
        abstract = True

    def export_field(self, field, instance, **kwargs):
        """Every exported value made safe (the admin's export writes these as they are)."""
        return spreadsheets.safe_value(super().export_field(field, instance, **kwargs))

    def import_data(self, *args, **kwargs):
        raise NotImplementedError(
            "Catalogue files are imported by services.import_job_create, not by a resource."
        )


class ProductResource(CatalogueResource):
    """One row per variant."""

    kind = ProductRules.kind
    sku = _column("sku", "sku")
    product = _column("product")
    category = _column("category")
    brand = _column("brand")
    price = _column("price")
    cost = _column("cost")
    options = _column("options")
    description = _column("description")
    active = _column("active")
    featured = _column("featured")

    class Meta:
        model = Variant
        fields = ProductRules.columns
        import_id_fields = ("sku",)

    def get_queryset(self) -> QuerySet[Variant]:
        return Variant.objects.select_related("product__category", "product__brand").order_by(
            "product__name", "product_id", "position", "pk"
        )

    def dehydrate_product(self, variant):
        return variant.product.name

    def dehydrate_category(self, variant):
        return variant.product.category.slug

    def dehydrate_brand(self, variant):
        return variant.product.brand.name if variant.product.brand_id else ""

    def dehydrate_price(self, variant):
        return variant.price

    def dehydrate_cost(self, variant):
        return variant.cost

    def dehydrate_options(self, variant):
        return import_files.format_options(variant.options)

    def dehydrate_description(self, variant):
        return variant.product.description

    def dehydrate_active(self, variant):
        return int(variant.product.is_active)

    def dehydrate_featured(self, variant):
        return int(variant.product.is_featured)


class CategoryResource(CatalogueResource):
    kind = CategoryRules.kind
    slug = _column("slug", "slug")
    name = _column("name")
    parent = _column("parent")
    description = _column("description")
    icon = _column("icon")
    position = _column("position")
    active = _column("active")

    class Meta:
        model = Category
        fields = CategoryRules.columns
        import_id_fields = ("slug",)

    def get_queryset(self) -> QuerySet[Category]:
        return Category.objects.select_related("parent").order_by("parent_id", "position", "name")

    def dehydrate_name(self, category):
        return category.name

    def dehydrate_parent(self, category):
        return category.parent.slug if category.parent_id else ""

    def dehydrate_description(self, category):
        return category.description

    def dehydrate_icon(self, category):
        return category.icon

    def dehydrate_position(self, category):
        return category.position

    def dehydrate_active(self, category):
        return int(category.is_active)


class StockResource(CatalogueResource):
    kind = StockRules.kind
    sku = _column("sku", "sku")
    on_hand = _column("on_hand")

    class Meta:
        model = Variant
        fields = StockRules.columns
        import_id_fields = ("sku",)

    def get_queryset(self) -> QuerySet[Variant]:
        return Variant.objects.order_by("sku")

    def dehydrate_on_hand(self, variant):
        return variant.on_hand


class BrandResource(CatalogueResource):
    """Brands (admin only): ``name, active``."""

    kind = BrandRules.kind
    name = _column("name", "name")
    active = _column("active")

    class Meta:
        model = Brand
        fields = BrandRules.columns
        import_id_fields = ("name",)

    def dehydrate_active(self, brand):
        return int(brand.is_active)


RESOURCES: dict[str, type[CatalogueResource]] = {
    "products": ProductResource,
    "categories": CategoryResource,
    "stock": StockResource,
    "brands": BrandResource,
}
