"""Admin building blocks shared by the apps."""


class ReadOnlyAdminMixin:
    """For models that change only through their app's services: the admin reads them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
