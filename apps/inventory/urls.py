from django.urls import path

from .views import shop
from .views.dashboard import catalogue, exports, imports, products, stock

app_name = "inventory"

# The shop's home page, mounted at the root without a namespace: the site's "home".
home_urlpatterns = [path("", shop.home, name="home")]

# The shop (customers).
urlpatterns = [
    path("productos/", shop.product_list, name="product_list"),
    path("categoria/<slug:slug>/", shop.category_detail, name="category"),
    path("producto/<slug:slug>/", shop.product_detail, name="product"),
]

# The manager's catalogue and stock pages, mounted under /dashboard/catalogo/.
dashboard_urlpatterns = [
    path("", products.product_list, name="product_list"),
    path("productos/nuevo/", products.product_create, name="product_create"),
    path("productos/<int:pk>/", products.product_edit, name="product_edit"),
    path("productos/<int:pk>/estado/", products.product_toggle, name="product_toggle"),
    path("productos/<int:pk>/imagenes/", products.product_image_add, name="product_image_add"),
    path(
        "productos/<int:pk>/imagenes/<int:image_id>/eliminar/",
        products.product_image_remove,
        name="product_image_remove",
    ),
    path("productos/<int:pk>/variantes/nueva/", products.variant_add, name="variant_add"),
    path("productos/<int:pk>/movimientos/", stock.product_movements, name="product_movements"),
    path("variantes/<int:pk>/existencias/", stock.variant_stock, name="variant_stock"),
    path("categorias/", catalogue.category_list, name="category_list"),
    path("categorias/nueva/", catalogue.category_form, name="category_create"),
    path("categorias/<int:pk>/", catalogue.category_form, name="category_edit"),
    path("categorias/<int:pk>/estado/", catalogue.category_toggle, name="category_toggle"),
    path("marcas/", catalogue.brand_list, name="brand_list"),
    path("marcas/nueva/", catalogue.brand_form, name="brand_create"),
    path("marcas/<int:pk>/", catalogue.brand_form, name="brand_edit"),
    path("marcas/<int:pk>/estado/", catalogue.brand_toggle, name="brand_toggle"),
    path("movimientos/", stock.movement_list, name="movement_list"),
    path("movimientos/exportar.<str:fmt>", exports.movement_export, name="movement_export"),
    path("pocas-existencias/", stock.low_stock, name="low_stock"),
    path("pocas-existencias/exportar.<str:fmt>", exports.low_stock_export, name="low_stock_export"),
    path("valoracion/", stock.valuation, name="valuation"),
    path("valoracion/exportar.<str:fmt>", exports.valuation_export, name="valuation_export"),
    path("importar/", imports.import_upload, name="import"),
    path("importar/confirmar/", imports.import_confirm, name="import_confirm"),
    path("importar/<int:pk>/", imports.import_job_detail, name="import_job"),
    path("importar/<int:pk>/confirmar/", imports.import_job_confirm, name="import_job_confirm"),
    path("exportar/<str:kind>.<str:fmt>", exports.catalogue_export, name="export"),
]
