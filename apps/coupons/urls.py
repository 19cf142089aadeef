from django.urls import path

from . import views

# The manager's coupon pages, mounted under /dashboard/cupones/ as "coupons_dashboard".
dashboard_urlpatterns = [
    path("", views.coupon_list, name="list"),
    path("nuevo/", views.coupon_create, name="create"),
    path("generar/", views.coupon_bulk_generate, name="bulk"),
    path("informe/", views.coupon_report, name="report"),
    path("productos/", views.coupon_product_search, name="product_search"),
    path("<int:pk>/", views.coupon_edit, name="edit"),
    path("<int:pk>/desactivar/", views.coupon_deactivate, name="deactivate"),
]
