"""Manager dashboard pages. Every view here is wrapped in ``manager_required``.

Each report page, its export and its API answer come from one ``Report``
(``selectors.report_build``), so the screen, the file and the JSON always agree."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.permissions import manager_required
from apps.core.spreadsheets import EXPORT_FORMATS
from etl import refresh as etl_refresh

from . import exports, selectors
from .errors import ReportInputError
from .sections import PAGES, SECTIONS


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


def _period(request) -> tuple[selectors.Period, str]:
    """The period the URL asks for, or the default one and the reason the URL was refused."""
    try:
        return selectors.period_parse(request.GET), ""
    except ReportInputError as error:
        return selectors.period_parse({}), error.message


def _refresh_after(request) -> int | None:
    value = request.GET.get("actualizando", "")
    return int(value) if value.isdigit() and len(value) < 18 else None


@manager_required
def dashboard_home(request):
    report = selectors.home_report()
    context = {
        "sections": _sections_for(request.user),
        "report": report,
        "charts": exports.charts(report),
        "sources": [
            {"source": s.source, "as_of": s.watermark and timezone.localtime(s.watermark)}
            for s in report.extra["sources"]
        ],
        "refresh_after": _refresh_after(request),
        "pages": PAGES,
        "formats": EXPORT_FORMATS,
        "export_url": reverse("dashboard:home_export"),
    }
    return render(request, "reporting/home.html", context)


@manager_required
def report_page(request, page: str):
    period, error = _period(request)
    if error:
        messages.error(request, error)
    report = selectors.report_build(page=page, period=period)
    context = {
        "report": report,
        "period": period,
        "charts": exports.charts(report),
        "options": selectors.filter_options(),
        "presets": selectors.PRESETS,
        "comparisons": selectors.COMPARISONS,
        "grains": selectors.GRAINS,
        "query": urlencode(period.query()),
        "pages": PAGES,
        "formats": EXPORT_FORMATS,
        "export_url": reverse(f"dashboard:{page}_export"),
    }
    return render(request, "reporting/report.html", context)


@manager_required
def report_export(request, page: str):
    """The table of a page exactly as shown, with its totals (``tabla``, ``formato``)."""
    period, error = _period(request)
    if error:
        messages.error(request, error)
        return redirect(reverse("dashboard:home" if page == "home" else f"dashboard:{page}"))
    report = selectors.report_build(page=page, period=period)
    table = report.table(request.GET.get("tabla", "")) or report.tables[0]
    fmt = request.GET.get("formato", "csv")
    if fmt not in EXPORT_FORMATS:
        raise Http404
    return exports.table_response(report, table, fmt)


@manager_required
@require_POST
def refresh(request):
    """ "Refresh now": queue the incremental ETL and come back to the home page's progress."""
    try:
        after = etl_refresh.etl_refresh_request()
    except etl_refresh.RefreshUnavailable:
        messages.error(request, _("No se pudo encargar la actualización: inténtelo en un momento."))
        return redirect("dashboard:home")
    messages.info(request, _("Actualización encargada: los datos se cargan en segundo plano."))
    return redirect(f"{reverse('dashboard:home')}?{urlencode({'actualizando': after})}")


@manager_required
def refresh_status(request):
    """The runs since the refresh was asked for, as JSON for the progress bar."""
    after = _refresh_after(request) or 0
    return JsonResponse(selectors.refresh_progress(after))
