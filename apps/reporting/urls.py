from django.urls import path

from . import views
from .sections import PAGES

app_name = "dashboard"

SLUGS = {
    "sales": "ventas",
    "products": "productos",
    "coupons": "cupones",
    "inventory": "inventario",
    "customers": "clientes",
}

urlpatterns = [
    path("", views.dashboard_home, name="home"),
    path("exportar/", views.report_export, {"page": "home"}, name="home_export"),
    path("actualizar/", views.refresh, name="refresh"),
    path("actualizar/estado/", views.refresh_status, name="refresh_status"),
]
for key, *_rest in PAGES:
    urlpatterns += [
        path(f"informes/{SLUGS[key]}/", views.report_page, {"page": key}, name=key),
        path(
            f"informes/{SLUGS[key]}/exportar/",
            views.report_export,
            {"page": key},
            name=f"{key}_export",
        ),
    ]
