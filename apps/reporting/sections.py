"""What the dashboard's home links to: the report pages, then the other apps' sections."""

from django.utils.translation import gettext_lazy as _

# The report pages: (key, title, icon, url name). The key names the page in its API route
# and its export.
PAGES = [
    ("sales", _("Ventas"), "bi-graph-up", "dashboard:sales"),
    ("products", _("Productos"), "bi-trophy", "dashboard:products"),
    ("coupons", _("Cupones"), "bi-ticket-perforated", "dashboard:coupons"),
    ("inventory", _("Inventario"), "bi-boxes", "dashboard:inventory"),
    ("customers", _("Clientes"), "bi-people", "dashboard:customers"),
]

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
        _("Sistema"),
        _("Peticiones, latencia y errores de la última hora; colas, bases de datos y caché."),
        "bi-heart-pulse",
        "observability:system",
        "observability.view_requestminute",
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
