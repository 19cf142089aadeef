from django.urls import path

from .views import dashboard, exports, shop

app_name = "inventory"

# The shop (customers).
urlpatterns = [
    path("productos/", shop.product_list, name="product_list"),
    path("categoria/<slug:slug>/", shop.category_detail, name="category"),
    path("producto/<slug:slug>/", shop.product_detail, name="product"),
]

# The manager's catalogue and stock pages, mounted under /dashboard/catalogo/.
dashboard_urlpatterns = [
    path("", dashboard.product_list, name="product_list"),
    path("productos/nuevo/", dashboard.product_create, name="product_create"),
    path("productos/<int:pk>/", dashboard.product_edit, name="product_edit"),
    path("productos/<int:pk>/estado/", dashboard.product_toggle, name="product_toggle"),
    path("productos/<int:pk>/imagenes/", dashboard.product_image_add, name="product_image_add"),
    path(
        "productos/<int:pk>/imagenes/<int:image_id>/eliminar/",
        dashboard.product_image_remove,
        name="product_image_remove",
    ),
    path("productos/<int:pk>/variantes/nueva/", dashboard.variant_add, name="variant_add"),
    path("productos/<int:pk>/movimientos/", dashboard.product_movements, name="product_movements"),
    path("variantes/<int:pk>/existencias/", dashboard.variant_stock, name="variant_stock"),
    path("categorias/", dashboard.category_list, name="category_list"),
    path("categorias/nueva/", dashboard.category_form, name="category_create"),
    path("categorias/<int:pk>/", dashboard.category_form, name="category_edit"),
    path("categorias/<int:pk>/estado/", dashboard.category_toggle, name="category_toggle"),
    path("marcas/", dashboard.brand_list, name="brand_list"),
    path("marcas/nueva/", dashboard.brand_form, name="brand_create"),
    path("marcas/<int:pk>/", dashboard.brand_form, name="brand_edit"),
    path("marcas/<int:pk>/estado/", dashboard.brand_toggle, name="brand_toggle"),
    path("movimientos/", dashboard.movement_list, name="movement_list"),
    path("movimientos/exportar.<str:fmt>", exports.movement_export, name="movement_export"),
    path("pocas-existencias/", dashboard.low_stock, name="low_stock"),
    path("pocas-existencias/exportar.<str:fmt>", exports.low_stock_export, name="low_stock_export"),
    path("valoracion/", dashboard.valuation, name="valuation"),
    path("valoracion/exportar.<str:fmt>", exports.valuation_export, name="valuation_export"),
    path("importar/", dashboard.import_upload, name="import"),
    path("importar/confirmar/", dashboard.import_confirm, name="import_confirm"),
    path("importar/<int:pk>/", dashboard.import_job_detail, name="import_job"),
    path("importar/<int:pk>/confirmar/", dashboard.import_job_confirm, name="import_job_confirm"),
    path("exportar/<str:kind>.<str:fmt>", exports.catalogue_export, name="export"),
]
