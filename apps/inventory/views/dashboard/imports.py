"""The manager's catalogue import: upload, the check's report, confirm; the job page.

Every file becomes an import job (``services.import_job_create``). A small one is checked
here and now and its report shown on this page; a large one is checked on a worker and
followed on its job page. Either is confirmed the same way.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.errors import ApplicationError
from apps.core.paging import page_number, querystring_without_page
from apps.core.permissions import manager_required

from ... import forms, selectors, services


def _is_large(upload) -> bool:
    try:
        return services.import_is_large(file=upload, filename=upload.name)
    except ApplicationError:  # not CSV/XLSX: the check says so
        return False
    finally:
        upload.seek(0)


def _page(request, *, form, report=None):
    return render(
        request,
        "inventory/dashboard/import.html",
        {
            "form": form,
            "report": report,
            "token": report.job_id if report is not None and report.can_confirm else None,
            "labels": selectors.ACTION_LABELS,
            "jobs": selectors.import_job_list(),
        },
    )


@manager_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Upload a file and see the check: what each row would do. Nothing is written yet."""
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _page(request, form=form)
    upload = form.cleaned_data["file"]
    kind = form.cleaned_data["kind"]
    if _is_large(upload):
        job_id = services.import_job_create(
            kind=kind,
            file=upload,
            filename=upload.name,
            user_id=request.user.pk,
            background=True,
            all_or_nothing=not form.cleaned_data["keep_good_rows"],
        )
        messages.info(request, _("El archivo es grande: se está comprobando en segundo plano."))
        return redirect("inventory_dashboard:import_job", pk=job_id)
    report = services.catalogue_import(
        kind=kind,
        content=upload.read(),
        filename=upload.name,
        dry_run=True,
        user_id=request.user.pk,
        all_or_nothing=not form.cleaned_data["keep_good_rows"],
    )
    return _page(request, form=form, report=report)


@manager_required
@require_POST
def import_confirm(request):
    """Apply the file checked on the upload page (its job), all or nothing."""
    try:
        job_id = int(request.POST.get("token", ""))
        services.import_job_confirm(job_id=job_id)
    except (ValueError, ApplicationError):
        messages.error(request, _("La importación ha caducado. Vuelva a subir el archivo."))
        return redirect("inventory_dashboard:import")
    report = selectors.import_job_report(job_id=job_id)
    if report.applied:
        messages.success(
            request,
            _(
                "Importación aplicada: %(new)s nuevos, %(update)s actualizados, %(skip)s sin cambios."
            )
            % report.totals,
        )
    else:
        messages.error(
            request,
            _("La importación no se aplicó: el archivo ya no es válido. No se ha cambiado nada."),
        )
    return _page(request, form=forms.ImportForm(), report=report)


@manager_required
def import_job_detail(request, pk: int):
    """An import job: its state, live progress and ETA (the page refreshes itself while it
    runs) and its row report."""
    job = selectors.import_job_get(job_id=pk)
    if job is None:
        raise Http404
    errors_only = request.GET.get("filas") == "errores"
    rows = selectors.import_job_row_page(
        job_id=job.id, errors_only=errors_only, page=page_number(request)
    )
    return render(
        request,
        "inventory/dashboard/import_job.html",
        {
            "job": job,
            "rows": rows,
            "errors_only": errors_only,
            "querystring": querystring_without_page(request),
            "labels": selectors.ACTION_LABELS,
        },
    )


@manager_required
@require_POST
def import_job_confirm(request, pk: int):
    """Import a job's file after its clean dry run."""
    try:
        services.import_job_confirm(job_id=pk)
    except services.NotFoundError:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Importación confirmada: se aplica todo o nada."))
    return redirect("inventory_dashboard:import_job", pk=pk)
