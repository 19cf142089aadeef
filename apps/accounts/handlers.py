"""Framework hooks: Django's sign-in signals feed the activity log and the ``UserSignedIn`` event."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import selectors, services
from .http import client_ip, client_user_agent, session_cookie


@receiver(user_logged_in, dispatch_uid="accounts.signed_in")
def _signed_in(sender, request, user, **kwargs):
    services.user_sign_in_record(
        user_id=user.pk,
        session_key_before=session_cookie(request),
        ip=client_ip(request),
        user_agent=client_user_agent(request),
    )


@receiver(user_logged_out, dispatch_uid="accounts.signed_out")
def _signed_out(sender, request, user, **kwargs):
    if user is None:  # signing out when nobody was signed in
        return
    services.activity_record(
        kind=services.ActivityKind.SIGN_OUT,
        user_id=user.pk,
        ip=client_ip(request),
        user_agent=client_user_agent(request),
    )


@receiver(user_login_failed, dispatch_uid="accounts.sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # The e-mail that was tried is not stored: only the account it names, if there is one.
    email = str((credentials or {}).get("username") or "")
    services.activity_record(
        kind=services.ActivityKind.SIGN_IN_FAILED,
        user_id=selectors.user_id_for_email(email=email) if email else None,
        ip=client_ip(request),
        user_agent=client_user_agent(request),
    )
