"""Who may read /metrics: a bearer token (METRICS_TOKEN) or an allowed address."""

import ipaddress

from django.conf import settings
from django.utils.crypto import constant_time_compare

from apps.core.http import client_ip


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_NETWORKS]


def metrics_token_presented(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def metrics_access_allowed(request) -> bool:
    expected = settings.METRICS_TOKEN
    presented = metrics_token_presented(request)
    if expected and presented and constant_time_compare(presented, expected):
        return True
    address = client_ip(request)
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks())
