from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A user's role is the Django group of the same name (created by a data migration)."""

    CUSTOMER = "customer", _("Cliente")
    MANAGER = "manager", _("Gestor")
    ADMINISTRATOR = "administrator", _("Administrador")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("The e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not (extra_fields["is_staff"] and extra_fields["is_superuser"]):
            raise ValueError("A superuser must have is_staff=True and is_superuser=True")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address: customer, manager or administrator.

    E-mail addresses are stored lower-cased, so uniqueness is case-insensitive
    on every database.
    """

    email = models.EmailField(_("correo electrónico"), unique=True)
    first_name = models.CharField(_("nombre"), max_length=150, blank=True)
    last_name = models.CharField(_("apellidos"), max_length=150, blank=True)
    phone = models.CharField(_("teléfono"), max_length=30, blank=True)
    is_staff = models.BooleanField(
        _("acceso al admin"),
        default=False,
        help_text=_("Puede entrar en el sitio de administración de Django."),
    )
    is_active = models.BooleanField(_("activo"), default=True)
    date_joined = models.DateTimeField(_("fecha de alta"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("usuario")
        verbose_name_plural = _("usuarios")
        permissions = [("access_dashboard", _("Puede usar el panel de gestión"))]

    def __str__(self) -> str:
        return self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self) -> str:
        return self.first_name or self.email


class Address(models.Model):
    """A postal address in a customer's address book; at most one is the shipping default."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("usuario")
    )
    label = models.CharField(_("nombre de la dirección"), max_length=50, blank=True)
    full_name = models.CharField(_("destinatario"), max_length=150)
    line1 = models.CharField(_("dirección"), max_length=200)
    line2 = models.CharField(_("piso, puerta, etc."), max_length=200, blank=True)
    postal_code = models.CharField(_("código postal"), max_length=12)
    city = models.CharField(_("localidad"), max_length=100)
    province = models.CharField(_("provincia"), max_length=100, blank=True)
    country = models.CharField(_("país"), max_length=2, default="ES")
    phone = models.CharField(_("teléfono"), max_length=30, blank=True)
    is_default = models.BooleanField(_("predeterminada para envíos"), default=False)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modificada"), auto_now=True)

    class Meta:
        verbose_name = _("dirección")
        verbose_name_plural = _("direcciones")
        ordering = ["-is_default", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default=True),
                name="address_one_default_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name}, {self.line1}, {self.city}"


class ActivityLog(models.Model):
    """Something a visitor did (sign-in, product view, checkout…), with as little personal data as works."""

    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("usuario"),
    )
    kind = models.CharField(_("tipo"), max_length=50)
    at = models.DateTimeField(_("momento"), default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    user_agent = models.CharField(_("navegador"), max_length=200, blank=True)
    reference = models.CharField(_("referencia"), max_length=200, blank=True)
    detail = models.JSONField(_("detalle"), default=dict, blank=True)

    class Meta:
        verbose_name = _("actividad")
        verbose_name_plural = _("registro de actividad")
        indexes = [models.Index(fields=["user", "at"], name="activity_user_at_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token itself is shown once."""

    class Scope(models.TextChoices):
        READ = "read", _("Lectura")
        WRITE = "write", _("Lectura y escritura")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("usuario")
    )
    name = models.CharField(_("nombre"), max_length=100)
    prefix = models.CharField(_("prefijo"), max_length=8)
    token_hash = models.CharField(_("huella SHA-256"), max_length=64, unique=True)
    scope = models.CharField(_("alcance"), max_length=5, choices=Scope.choices)
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("último uso"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revocado"), null=True, blank=True)

    class Meta:
        verbose_name = _("token de API")
        verbose_name_plural = _("tokens de API")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=["read", "write"]), name="api_token_scope_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
