"""Account pages under /cuenta/: thin — parse the form, call a service or selector, render."""

import json

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.errors import ApplicationError, NotFoundError

from . import selectors, services
from .forms import (
    AccountEraseForm,
    AddressForm,
    ApiTokenForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    SetPasswordForm,
    SignUpForm,
)
from .http import client_ip, client_user_agent
from .models import User

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _own_address_or_404(request, address_id: int) -> selectors.AddressInfo:
    try:
        return selectors.address_get(user_id=request.user.pk, address_id=address_id)
    except NotFoundError:
        raise Http404 from None


def _safe_next(request) -> str:
    """The ``next`` the visitor came with, if it stays on this site; otherwise empty."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def signup(request):
    next_url = _safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url or "accounts:profile")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user_id = services.customer_register(
                email=data["email"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            services.activity_record(
                kind=services.ActivityKind.SIGN_UP,
                user_id=user_id,
                ip=client_ip(request),
                user_agent=client_user_agent(request),
            )
            login(request, User.objects.get(pk=user_id), backend=MODEL_BACKEND)
            messages.success(request, _("Bienvenido a la tienda. Su cuenta está lista."))
            return redirect(next_url or "accounts:profile")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, initial=_profile_initial(request.user))
    if request.method == "POST" and form.is_valid():
        services.profile_update(
            user_id=request.user.pk,
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            phone=form.cleaned_data["phone"],
        )
        messages.success(request, _("Datos guardados."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "section": "profile"})


def _profile_initial(user) -> dict:
    return {"first_name": user.first_name, "last_name": user.last_name, "phone": user.phone}


@login_required
def address_list(request):
    addresses = selectors.address_list(user_id=request.user.pk)
    return render(
        request, "accounts/address_list.html", {"addresses": addresses, "section": "addresses"}
    )


@login_required
def address_create(request):
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.address_create(user_id=request.user.pk, **form.cleaned_data)
        messages.success(request, _("Dirección guardada."))
        return redirect("accounts:addresses")
    return render(request, "accounts/address_form.html", {"form": form, "section": "addresses"})


@login_required
def address_edit(request, pk: int):
    address = _own_address_or_404(request, pk)
    initial = {name: getattr(address, name) for name in AddressForm.Meta.fields}
    form = AddressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.address_update(
                user_id=request.user.pk, address_id=address.id, **form.cleaned_data
            )
        except NotFoundError:
            raise Http404 from None
        messages.success(request, _("Dirección guardada."))
        return redirect("accounts:addresses")
    return render(
        request,
        "accounts/address_form.html",
        {"form": form, "address": address, "section": "addresses"},
    )


@login_required
def address_delete(request, pk: int):
    address = _own_address_or_404(request, pk)
    if request.method == "POST":
        try:
            services.address_delete(user_id=request.user.pk, address_id=address.id)
        except NotFoundError:
            raise Http404 from None
        messages.success(request, _("Dirección eliminada."))
        return redirect("accounts:addresses")
    return render(
        request,
        "accounts/address_confirm_delete.html",
        {"address": address, "section": "addresses"},
    )


@login_required
@require_POST
def address_make_default(request, pk: int):
    try:
        services.address_set_default(user_id=request.user.pk, address_id=pk)
    except NotFoundError:
        raise Http404 from None
    messages.success(request, _("Dirección predeterminada para envíos cambiada."))
    return redirect("accounts:addresses")


@login_required
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        issued = services.api_token_create(
            user_id=request.user.pk,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
        )
        form = ApiTokenForm()
    response = render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "issued": issued,
            "tokens": selectors.api_token_list(user_id=request.user.pk),
            "section": "tokens",
        },
    )
    if issued is not None:
        response["Cache-Control"] = "no-store"  # the token is shown once, never cached
    return response


@login_required
@require_POST
def api_token_revoke(request, pk: int):
    try:
        services.api_token_revoke(user_id=request.user.pk, token_id=pk)
    except NotFoundError:
        raise Http404 from None
    messages.success(request, _("Token revocado: ya no sirve para entrar en la API."))
    return redirect("accounts:api_tokens")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("accounts:profile")
    extra_context = {"section": "password"}

    def form_valid(self, form):
        response = super().form_valid(form)
        services.activity_record(
            kind=services.ActivityKind.PASSWORD_CHANGED,
            user_id=self.request.user.pk,
            ip=client_ip(self.request),
            user_agent=client_user_agent(self.request),
        )
        messages.success(self.request, _("Contraseña cambiada."))
        return response


password_reset = auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset_form.html",
    form_class=PasswordResetForm,
    email_template_name="registration/password_reset_email.txt",
    subject_template_name="registration/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    form_class=SetPasswordForm,
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


@login_required
def privacy(request):
    form = AccountEraseForm(user=request.user)
    return render(request, "accounts/privacy.html", {"form": form, "section": "privacy"})


@login_required
def data_download(request):
    data = selectors.user_data_export(user_id=request.user.pk)
    services.activity_record(
        kind=services.ActivityKind.DATA_EXPORTED,
        user_id=request.user.pk,
        ip=client_ip(request),
        user_agent=client_user_agent(request),
    )
    filename = f"electropluz-mis-datos-{timezone.localdate():%Y%m%d}.json"
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def account_erase(request):
    form = AccountEraseForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(
            request, "accounts/privacy.html", {"form": form, "section": "privacy"}, status=400
        )
    user_id = request.user.pk
    logout(request)
    services.user_erase(user_id=user_id)
    messages.success(
        request, _("Su cuenta se ha eliminado. Gracias por haber comprado con nosotros.")
    )
    return redirect("home")
