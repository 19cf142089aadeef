"""Admin: the catalogue is read here. Its import button hands the file to the one import
engine (``services.import_job_create``, followed on the dashboard's job page); its export
button writes the resources' columns. Editing lives in the dashboard, so the ledger and the
derived product columns stay true; stock movements are read-only."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX

from apps.core.admin_mixins import ReadOnlyAdminMixin
from apps.core.errors import ApplicationError

from . import resources, selectors, services
from .models import Brand, Category, ImportJob, Product, StockMovement, Variant


class CatalogueImportAdmin(ReadOnlyAdminMixin, ImportExportModelAdmin):
    """django-import-export's buttons as a thin adapter: the upload becomes an import job
    (checked, then confirmed on the job page); the export is the resource's."""

    import_formats = [CSV, XLSX]
    import_kind = ""
    import_permission = ""

    def has_import_permission(self, request):
        return request.user.has_perm(self.import_permission)

    def import_action(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_import_form(request)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["import_file"]
            try:
                job_id = services.import_job_create(
                    kind=self.import_kind,
                    file=upload,
                    filename=upload.name,
                    user_id=request.user.pk,
                )
            except ApplicationError as error:
                form.add_error("import_file", error.message)
            else:
                job = selectors.import_job_get(job_id=job_id)
                if job.status != ImportJob.Status.FAILED or job.error_count:
                    messages.info(request, _("Revise la comprobación y confirme la importación."))
                    return redirect("inventory_dashboard:import_job", pk=job_id)
                form.add_error("import_file", job.error_message)
        return self._import_page(request, form)

    def _import_page(self, request, form):
        context = {
            **self.get_import_context_data(),
            **self.admin_site.each_context(request),
            "title": _("Importar"),
            "form": form,
            "opts": self.model._meta,
            "media": self.media + form.media,
            "fields_list": [
                (resource.get_display_name(), list(resource._meta.fields))
                for resource in (cls() for cls in self.get_import_resource_classes(request))
            ],
            "import_error_display": self.import_error_display,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    def process_import(self, request, **kwargs):
        """The second step of django-import-export's own import: not used, the job page
        confirms instead."""
        return redirect("inventory_dashboard:import")


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
class VariantAdmin(CatalogueImportAdmin):
    """Products import/export: one row per variant."""

    resource_classes = [resources.ProductResource]
    import_kind = "products"
    import_permission = "inventory.change_product"
    list_display = ("sku", "product", "price", "cost", "on_hand", "is_active")
    search_fields = ("sku", "product__name")
    list_select_related = ("product",)


@admin.register(Category)
class CategoryAdmin(CatalogueImportAdmin):
    resource_classes = [resources.CategoryResource]
    import_kind = "categories"
    import_permission = "inventory.change_category"
    list_display = ("name", "slug", "parent", "position", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")


@admin.register(Brand)
class BrandAdmin(CatalogueImportAdmin):
    resource_classes = [resources.BrandResource]
    import_kind = "brands"
    import_permission = "inventory.change_brand"
    list_display = ("name", "slug", "is_active")
    search_fields = ("name",)


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
