from django.urls import path

from .views import dashboard, shop

app_name = "sales"

# The shop (customers): checkout, and the customer's own orders.
urlpatterns = [
    path("pedido/", shop.checkout, name="checkout"),
    path("pedidos/<str:number>/confirmacion/", shop.confirmation, name="confirmation"),
    path("cuenta/pedidos/", shop.order_list, name="order_list"),
    path("cuenta/pedidos/<str:number>/", shop.order_detail, name="order_detail"),
    path("cuenta/pedidos/<str:number>/cancelar/", shop.order_cancel, name="order_cancel"),
    path("cuenta/pedidos/<str:number>/recibo/", shop.order_receipt, name="order_receipt"),
]

# The manager's order pages, mounted under /dashboard/pedidos/ as "sales_dashboard".
dashboard_urlpatterns = [
    path("", dashboard.order_list, name="list"),
    path("exportar.csv", dashboard.order_export, name="export"),
    path("exportar.<str:fmt>", dashboard.order_export, name="export_as"),
    path("<str:number>/", dashboard.order_detail, name="detail"),
    path("<str:number>/estado/", dashboard.order_transition, name="transition"),
    path("<str:number>/reembolso/", dashboard.order_refund, name="refund"),
    path(
        "<str:number>/reembolsos/<int:refund_id>/reintentar/",
        dashboard.refund_retry,
        name="refund_retry",
    ),
]
