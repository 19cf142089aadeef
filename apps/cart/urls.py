from django.urls import path

from . import views

app_name = "cart"

urlpatterns = [
    path("", views.cart_detail, name="detail"),
    path("anadir/", views.line_add, name="add"),
    path("linea/<int:variant_id>/", views.line_update, name="update"),
    path("linea/<int:variant_id>/eliminar/", views.line_remove, name="remove"),
    path("linea/<int:variant_id>/guardar/", views.line_save, name="save"),
    path("linea/<int:variant_id>/recuperar/", views.line_restore, name="restore"),
    path("cupon/", views.coupon_apply, name="coupon_apply"),
    path("cupon/quitar/", views.coupon_remove, name="coupon_remove"),
    path("confirmar/", views.confirm_changes, name="confirm"),
]
