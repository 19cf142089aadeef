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
from apps.demo import catalogue
from apps.inventory import selectors as inventory_selectors
from apps.inventory import services as inventory_services

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
        parser.add_argument(
            "--products", type=int, default=240, help="catalogue size (default 240)"
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("seed_demo creates known accounts; refused with DEBUG off.")
        logins_file = Path(settings.VAR_DIR) / "demo-logins.txt"
        already = accounts_selectors.user_exists(email=DEMO_USERS[0][0])
        if not (options["if_empty"] and already):
            self._seed_users(logins_file)
        if not inventory_selectors.product_count():
            self._seed_catalogue(options["products"])
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

    def _seed_catalogue(self, count: int) -> None:
        category_ids: dict[str, int] = {}
        for position, (top, icon, subcategories) in enumerate(catalogue.CATEGORIES):
            top_id = inventory_services.category_create(name=top, icon=icon, position=position)
            category_ids[top] = top_id
            for sub_position, (sub, sub_icon, _kind) in enumerate(subcategories):
                category_ids[sub] = inventory_services.category_create(
                    name=sub, parent_id=top_id, icon=sub_icon, position=sub_position
                )
        brand_ids = {name: inventory_services.brand_create(name=name) for name in catalogue.BRANDS}
        step = max(1, count // 20)
        for item in catalogue.products(count):
            inventory_services.product_create(
                name=item["name"],
                category_id=category_ids[item["category"]],
                brand_id=brand_ids[item["brand"]],
                description=item["description"],
                specifications=item["specifications"],
                is_featured=item["featured"],
                variants=[
                    inventory_services.VariantInput(
                        sku=f"EP{item['number']:06d}-{index}",
                        price=variant["price"],
                        cost=variant["cost"],
                        options=variant["options"],
                        initial_stock=variant["stock"],
                    )
                    for index, variant in enumerate(item["variants"], start=1)
                ],
            )
            if item["number"] % step == 0 or item["number"] == count:
                done = item["number"] * 100 // count
                self.stdout.write(
                    f"\rCatálogo: [{'#' * (done // 5):<20}] {done:3d}% ({item['number']}/{count})",
                    ending="",
                )
                self.stdout.flush()
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Catálogo de demostración: {count} productos."))
