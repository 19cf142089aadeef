from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path(
        "entrar/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("salir/", auth_views.LogoutView.as_view(), name="logout"),
    path("registro/", views.signup, name="signup"),
    path("", views.profile, name="profile"),
    path("direcciones/", views.address_list, name="addresses"),
    path("direcciones/nueva/", views.address_create, name="address_create"),
    path("direcciones/<int:pk>/", views.address_edit, name="address_edit"),
    path("direcciones/<int:pk>/eliminar/", views.address_delete, name="address_delete"),
    path(
        "direcciones/<int:pk>/predeterminada/",
        views.address_make_default,
        name="address_make_default",
    ),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:pk>/revocar/", views.api_token_revoke, name="api_token_revoke"),
    path("contrasena/", views.PasswordChangeView.as_view(), name="password_change"),
    path("recuperar/", views.password_reset, name="password_reset"),
    path("recuperar/enviado/", views.password_reset_done, name="password_reset_done"),
    path(
        "recuperar/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("recuperar/hecho/", views.password_reset_complete, name="password_reset_complete"),
    path("datos/", views.privacy, name="privacy"),
    path("datos/descargar/", views.data_download, name="data_download"),
    path("datos/eliminar/", views.account_erase, name="account_erase"),
]
