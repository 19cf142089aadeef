from django.core.management.base import BaseCommand, CommandError

from apps.accounts import selectors, services


class Command(BaseCommand):
    help = "Issue a personal API token for a user; the token is printed once and never stored."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--scope", choices=["read", "write"], default="read")
        parser.add_argument("--name", default="manage.py")

    def handle(self, *args, email, scope, name, **options):
        user_id = selectors.user_id_for_email(email=email)
        if user_id is None:
            raise CommandError(f"No user with e-mail {email!r}.")
        try:
            issued = services.api_token_create(user_id=user_id, name=name, scope=scope)
        except services.UserNotFoundError:
            raise CommandError(f"The account {email!r} is not active.") from None
        self.stderr.write(f"Token {issued.prefix}… ({issued.scope}) for {email}. Keep it secret:")
        self.stdout.write(issued.token)
