"""Admin: the catalogue is read here and imported/exported through the same resources as the
dashboard (writes go through the services). Editing lives in the dashboard, so the ledger and
the derived product columns stay true; stock movements are read-only."""

from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from apps.core.admin_mixins import ReadOnlyAdminMixin

from . import resources
from .models import Brand, Category, ImportJob, Product, StockMovement, Variant


class VariantInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Variant
    fields = ("sku", "options", "price", "cost", "on_hand", "low_stock_threshold", "is_active")
    readonly_fields = fields
    extra = 0


@admin.register(Product)
class ProductAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "category", "brand", "price_from", "is_active", "is_featured")
    list_filter = ("is_active", "is_featured", "category")
    search_fields = ("name", "variants__sku")
    list_select_related = ("category", "brand")
    inlines = [VariantInline]


@admin.register(Variant)
class VariantAdmin(ReadOnlyAdminMixin, ImportExportModelAdmin):
    """Products import/export: one row per variant."""

    resource_classes = [resources.ProductResource]
    list_display = ("sku", "product", "price", "cost", "on_hand", "is_active")
    search_fields = ("sku", "product__name")
    list_select_related = ("product",)

    def has_import_permission(self, request):
        return request.user.has_perm("inventory.change_product")


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdminMixin, ImportExportModelAdmin):
    resource_classes = [resources.CategoryResource]
    list_display = ("name", "slug", "parent", "position", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")

    def has_import_permission(self, request):
        return request.user.has_perm("inventory.change_category")


@admin.register(Brand)
class BrandAdmin(ReadOnlyAdminMixin, ImportExportModelAdmin):
    resource_classes = [resources.BrandResource]
    list_display = ("name", "slug", "is_active")
    search_fields = ("name",)

    def has_import_permission(self, request):
        return request.user.has_perm("inventory.change_brand")


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "variant", "kind", "quantity", "reference", "reason", "user")
    list_filter = ("kind",)
    search_fields = ("variant__sku", "reference")
    list_select_related = ("variant", "user")
    date_hierarchy = "created_at"


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Import jobs, read only; the row report is on the dashboard's job page."""

    list_display = (
        "pk", "created_at", "kind", "original_filename", "status", "processed_rows",
        "total_rows", "error_count", "created_by",
    )  # fmt: skip
    list_filter = ("status", "kind")
    search_fields = ("original_filename",)
    list_select_related = ("created_by",)
    date_hierarchy = "created_at"
