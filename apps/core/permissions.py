"""Role checks for pages. Every /dashboard/ view is wrapped in ``manager_required``."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

DASHBOARD_PERMISSION = "accounts.access_dashboard"


def manager_required(view):
    """Anonymous visitors are sent to sign in; signed-in users without the role get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm(DASHBOARD_PERMISSION):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.requires_manager = True
    return wrapper
