"""Builds the demo shop through each app's public services.

    python manage.py seed_demo            # build (or top up) the demo data
    python manage.py seed_demo --if-empty # only on an empty shop (what `make run` does)

Demo users get random passwords, written to var/demo-logins.txt (never committed)
and printed. The command refuses to run with DEBUG off unless --allow-production.
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.accounts import selectors as accounts_selectors
from apps.accounts import services as accounts_services

DEMO_USERS = [
    ("admin@electropluz.test", "Adela", "Administradora", "administrator"),
    ("gestor@electropluz.test", "Gonzalo", "Gestor", "manager"),
    ("cliente@electropluz.test", "Carmen", "Cliente", "customer"),
]


class Command(BaseCommand):
    help = "Builds the demo shop (users, catalogue, stock, coupons, orders)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing if already seeded")
        parser.add_argument("--allow-production", action="store_true")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("seed_demo creates known accounts; refused with DEBUG off.")
        logins_file = Path(settings.VAR_DIR) / "demo-logins.txt"
        already = accounts_selectors.user_exists(email=DEMO_USERS[0][0])
        if not (options["if_empty"] and already):
            self._seed_users(logins_file)
        if logins_file.exists():
            self.stdout.write(logins_file.read_text())

    def _seed_users(self, logins_file: Path) -> None:
        lines = ["Demo logins (http://127.0.0.1:8000/cuenta/entrar/):"]
        for email, first_name, last_name, role in DEMO_USERS:
            if accounts_selectors.user_exists(email=email):
                continue
            password = secrets.token_urlsafe(9)
            accounts_services.user_create(
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                role=role,
            )
            lines.append(f"  {role:<14} {email:<28} {password}")
        if len(lines) > 1:
            logins_file.parent.mkdir(parents=True, exist_ok=True)
            logins_file.write_text("\n".join(lines) + "\n")
