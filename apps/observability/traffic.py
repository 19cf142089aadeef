"""How requests are sorted for the system page: view groups and latency bounds."""

LATENCY_BOUNDS_MS = (5, 10, 25, 50, 75, 100, 150, 200, 250, 300, 500, 750, 1000, 2500, 5000)

# The first matching prefix names the group; everything else is the shop.
GROUP_PREFIXES = (
    ("/api/", "api"),
    ("/dashboard/", "dashboard"),
    ("/admin/", "admin"),
    ("/cuenta/", "account"),
    ("/carrito/", "checkout"),
    ("/pedido", "checkout"),
    ("/static/", "static"),
    ("/media/", "static"),
)
OPS_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
GROUPS = ("shop", "checkout", "account", "api", "dashboard", "admin", "ops", "static")


def view_group(path: str) -> str:
    if path in OPS_PATHS:
        return "ops"
    for prefix, group in GROUP_PREFIXES:
        if path.startswith(prefix):
            return group
    return "shop"
