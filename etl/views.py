"""``/dashboard/etl/``: the pipeline's own page for managers (runs, freshness, quarantine,
reconciliation, "run now"). It lives in ``etl`` because "run now" is an ETL use case, which
the reporting app may not call (it reads ``etl.selectors`` only)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, tasks
from .models import Source

DASHBOARD_PERMISSION = "accounts.access_dashboard"  # the manager role (apps.core.permissions)
RUN_NOW = {"sales": tasks.run_sales, "inventory": tasks.run_inventory, "users": tasks.run_users}
RECONCILIATION_DAYS = 30


def manager_only(view):
    """Anonymous visitors sign in first; signed-in users without the manager role get 403."""
    return login_required(permission_required(DASHBOARD_PERMISSION, raise_exception=True)(view))


def _choice(value: str, allowed) -> str:
    return value if value in allowed else ""


@manager_only
def etl_dashboard(request):
    source = _choice(request.GET.get("source", ""), selectors.SOURCES)
    reasons = selectors.quarantine_by_reason()
    reason = _choice(request.GET.get("reason", ""), {r for _s, r in reasons})
    rows = selectors.quarantine_rows(source=source, reason=reason, limit=50)
    context = {
        "freshness": [
            {"f": f, "label": Source(f.source).label} for f in selectors.source_freshness()
        ],
        "source_names": dict(Source.choices),
        "source": source,
        "reason": reason,
        "runs": selectors.run_list(source=source, limit=30),
        "reasons": [
            {"source": s, "reason": r, "count": n} for (s, r), n in sorted(reasons.items())
        ],
        "quarantine": [
            {"row": row, "raw": json.dumps(row.raw, ensure_ascii=False, indent=1, sort_keys=True)}
            for row in rows
        ],
        "reconciliation": selectors.reconciliation_recent(limit=RECONCILIATION_DAYS),
        "mismatches": selectors.reconciliation_recent(limit=100, mismatches_only=True),
        "reconciliation_days": RECONCILIATION_DAYS,
    }
    return render(request, "etl/dashboard.html", context)


@require_POST
@manager_only
def etl_run_now(request):
    source = request.POST.get("source", "")
    task = RUN_NOW.get(source)
    if task is None:
        messages.error(request, _("Origen desconocido."))
        return redirect("etl_dashboard:home")
    try:
        task.apply_async()
    except Exception:  # the broker is down: say so, the schedule will run it anyway
        messages.error(
            request,
            _("No se pudo encolar la ejecución de «%(source)s»; inténtelo más tarde.")
            % {"source": Source(source).label},
        )
        return redirect("etl_dashboard:home")
    messages.success(
        request,
        _("Ejecución de «%(source)s» encolada: aparecerá en la lista al empezar.")
        % {"source": Source(source).label},
    )
    return redirect("etl_dashboard:home")
