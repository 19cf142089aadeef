"""Role checks for pages. Every /dashboard/ view is wrapped in ``manager_required``, or in
``administrator_required`` for the operations pages only administrators see."""

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


ADMINISTRATOR_GROUP = "administrator"


def is_administrator(user) -> bool:
    """The administrator role (its group), or a superuser."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name=ADMINISTRATOR_GROUP).exists()


def administrator_required(view):
    """Operations pages: anonymous visitors sign in; managers and customers get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_administrator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.requires_manager = True
    wrapper.requires_administrator = True
    return wrapper
