"""/metrics for Prometheus and the administrators' system page."""

from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from . import access, metrics


@never_cache
@require_GET
def metrics_view(request):
    """Every process's counters and the shop's gauges, in Prometheus's text format."""
    if not access.metrics_access_allowed(request):
        if access.metrics_token_presented(request) is None:
            response = HttpResponse("authentication required\n", status=401)
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
        return HttpResponse("forbidden\n", status=403)
    return HttpResponse(metrics.metrics_exposition(), content_type=CONTENT_TYPE_LATEST)
