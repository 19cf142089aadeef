"""Manager dashboard pages. Every view here is wrapped in ``manager_required``."""

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from apps.core.permissions import manager_required

# The dashboard's sections: (title, description, icon, url name, permission the link needs).
# An app adds its own section here when it ships pages under /dashboard/; a section
# whose URL does not exist (yet) is not shown, so there are never dead links.
SECTIONS = [
    (
        _("Pedidos"),
        _("Pedidos de los clientes: estados, cobros, reembolsos y exportación."),
        "bi-receipt",
        "sales_dashboard:list",
        "",
    ),
    (
        _("Catálogo"),
        _("Productos, variantes y precios; alta y edición."),
        "bi-box-seam",
        "inventory_dashboard:product_list",
        "",
    ),
    (
        _("Categorías y marcas"),
        _("El árbol de categorías y las marcas del catálogo."),
        "bi-diagram-3",
        "inventory_dashboard:category_list",
        "",
    ),
    (
        _("Existencias"),
        _("Movimientos de stock, pocas existencias y valoración del inventario."),
        "bi-arrow-left-right",
        "inventory_dashboard:movement_list",
        "",
    ),
    (
        _("Importar catálogo"),
        _("Carga de productos desde CSV o Excel, con vista previa."),
        "bi-upload",
        "inventory_dashboard:import",
        "",
    ),
    (
        _("Cupones"),
        _("Cupones de descuento, códigos de un solo uso e informe de uso."),
        "bi-ticket-perforated",
        "coupons_dashboard:list",
        "",
    ),
    (
        _("Usuarios"),
        _("Clientes, gestores y administradores; roles y bajas."),
        "bi-people",
        "admin:accounts_user_changelist",
        "accounts.view_user",
    ),
    (
        _("Registro de actividad"),
        _("Entradas, salidas e intentos fallidos de inicio de sesión."),
        "bi-activity",
        "admin:accounts_activitylog_changelist",
        "accounts.view_activitylog",
    ),
    (
        _("Bloqueos de acceso"),
        _("Cuentas bloqueadas por demasiados intentos; desbloquear."),
        "bi-shield-lock",
        "admin:axes_accessattempt_changelist",
        "axes.view_accessattempt",
    ),
    (
        _("ETL y almacén de datos"),
        _("Ejecuciones por origen, frescura, cuarentena y conciliación con el libro de ventas."),
        "bi-database-gear",
        "etl_dashboard:home",
        "",
    ),
]


def _sections_for(user) -> list[dict]:
    sections = []
    for title, description, icon, url_name, permission in SECTIONS:
        if permission and not (user.is_staff and user.has_perm(permission)):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        sections.append({"title": title, "description": description, "icon": icon, "url": url})
    return sections


@manager_required
def dashboard_home(request):
    return render(request, "reporting/home.html", {"sections": _sections_for(request.user)})
