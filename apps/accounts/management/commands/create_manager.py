from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.urls import reverse

from apps.accounts import selectors, services


class Command(BaseCommand):
    help = (
        "Create a manager (or promote an existing user) and print a one-time link "
        "to set the password."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="The shop's address, for the printed link (default: %(default)s).",
        )

    def handle(self, *args, email, base_url, **options):
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"Not an e-mail address: {email!r}") from None
        promotion = services.manager_promote(email=email)
        uidb64, token = selectors.user_password_reset_token(user_id=promotion.user_id)
        path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
        action = "Created manager" if promotion.created else "Promoted to manager"
        self.stdout.write(f"{action}: {email.lower()} (user id {promotion.user_id}).")
        self.stdout.write(
            "Open this one-time link to set the password (it stops working once used, "
            "or when the password changes):"
        )
        self.stdout.write(f"{base_url.rstrip('/')}{path}")
