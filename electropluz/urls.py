from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from apps.coupons import urls as coupons_urls
from apps.inventory import urls as inventory_urls
from apps.observability import views as observability_views
from apps.sales import urls as sales_urls

from . import health, unavailable
from .api import api

handler500 = unavailable.server_error

urlpatterns = [
    path("", include(inventory_urls.home_urlpatterns)),
    path("", include(inventory_urls)),
    path("", include("apps.sales.urls")),
    path(
        "dashboard/catalogo/",
        include((inventory_urls.dashboard_urlpatterns, "inventory_dashboard")),
    ),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", observability_views.metrics_view, name="metrics"),
    path("cuenta/", include("apps.accounts.urls")),
    path("carrito/", include("apps.cart.urls")),
    path("dashboard/cupones/", include((coupons_urls.dashboard_urlpatterns, "coupons_dashboard"))),
    path("dashboard/pedidos/", include((sales_urls.dashboard_urlpatterns, "sales_dashboard"))),
    path("dashboard/etl/", include("etl.urls")),
    path("dashboard/", include("apps.observability.urls")),
    path("dashboard/", include("apps.reporting.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

# Uploaded product images: served by Django while developing; in production by the web
# server (nginx) from MEDIA_ROOT, or by object storage.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
