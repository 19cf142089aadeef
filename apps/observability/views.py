"""/metrics for Prometheus and the administrators' system page."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from apps.core.permissions import administrator_required

from . import access, metrics, rollup, selectors


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


@administrator_required
@require_GET
def system_dashboard(request):
    """The last hour of requests and the state of every moving part, beside the day's sales."""
    rollup.request_rollup_flush()  # this process's latest counts, before reading
    overview = selectors.system_overview()
    traffic = overview["traffic"]
    chart = {
        "labels": traffic.minutes,
        "requests": traffic.requests_per_minute,
        "p95": traffic.p95_per_minute,
        "requestsLabel": str(_("Peticiones por minuto")),
        "p95Label": str(_("p95 (ms)")),
    }
    return render(request, "observability/system.html", {**overview, "chart": chart})
