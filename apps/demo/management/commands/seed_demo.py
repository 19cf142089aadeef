"""Builds the demo shop through each app's public services.

    python manage.py seed_demo            # build (or top up) the demo data
    python manage.py seed_demo --if-empty # only on an empty shop (what `make run` does)
    python manage.py seed_demo --history [--orders N | --lines N] [--years 2]
                                          # past orders through the order-history import

Demo users get random passwords, written to var/demo-logins.txt (never committed)
and printed. The command refuses to run with DEBUG off unless --allow-production.
"""

import contextlib
import random
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.accounts import selectors as accounts_selectors
from apps.accounts import services as accounts_services
from apps.cart import services as cart_services
from apps.core.errors import ApplicationError
from apps.coupons import services as coupons_services
from apps.demo import catalogue, history
from apps.inventory import selectors as inventory_selectors
from apps.inventory import services as inventory_services
from apps.sales import selectors as sales_selectors
from apps.sales import services as sales_services

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
        parser.add_argument(
            "--orders",
            type=int,
            default=None,
            help="demo orders through checkout (default 60); with --history, past orders",
        )
        parser.add_argument(
            "--history",
            action="store_true",
            help="also generate past orders (default 20,000 lines) through the history import",
        )
        parser.add_argument("--lines", type=int, help="with --history: about this many lines")
        parser.add_argument("--years", type=float, default=2, help="with --history (default 2)")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("seed_demo creates known accounts; refused with DEBUG off.")
        logins_file = Path(settings.VAR_DIR) / "demo-logins.txt"
        already = accounts_selectors.user_exists(email=DEMO_USERS[0][0])
        if not (options["if_empty"] and already):
            self._seed_users(logins_file)
        if not inventory_selectors.product_count():
            self._seed_catalogue(options["products"])
        checkout_orders = (
            60 if options["history"] or options["orders"] is None else options["orders"]
        )
        if checkout_orders and not sales_selectors.order_count():
            self._seed_orders(checkout_orders)
        if options["history"]:
            self._seed_history(options)
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
            top_id = inventory_services.category_create(
                name=top,
                name_en=catalogue.CATEGORY_NAMES_EN[top],
                icon=icon,
                position=position,
            )
            category_ids[top] = top_id
            for sub_position, (sub, sub_icon, _kind) in enumerate(subcategories):
                category_ids[sub] = inventory_services.category_create(
                    name=sub,
                    name_en=catalogue.CATEGORY_NAMES_EN[sub],
                    parent_id=top_id,
                    icon=sub_icon,
                    position=sub_position,
                )
        brand_ids = {name: inventory_services.brand_create(name=name) for name in catalogue.BRANDS}

        def progress(done: int) -> None:
            share = done * 100 // count
            bar = "#" * (share // 5)
            self.stdout.write(f"\rCatálogo: [{bar:<20}] {share:3d}% ({done}/{count})", ending="")
            self.stdout.flush()

        inventory_services.catalogue_bulk_load(
            products=(
                inventory_services.BulkProduct(
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
                for item in catalogue.products(count)
            ),
            batch_size=min(1000, max(50, count // 20)),
            progress=progress,
        )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Catálogo de demostración: {count} productos."))

    def _demo_customers(self, rng) -> list[tuple]:
        """The demo's customers, each with an address: (user id, e-mail, address)."""
        shoppers = []
        for number, (first_name, last_name, city, postal_code) in enumerate(catalogue.CUSTOMERS, 1):
            email = f"cliente{number:02d}@demo.electropluz.test"
            user_id = accounts_services.user_create(
                email=email,
                password=secrets.token_urlsafe(12),
                first_name=first_name,
                last_name=last_name,
            )
            address = sales_services.ShippingAddress(
                full_name=f"{first_name} {last_name}",
                line1=f"Calle {rng.choice(catalogue.STREETS)} {rng.randint(1, 120)}",
                postal_code=postal_code,
                city=city,
            )
            shoppers.append((user_id, email, address))
        return shoppers

    def _seed_orders(self, count: int) -> None:
        """Customers buying through the real checkout: cards, transfers, cash on delivery,
        coupons, and orders moved along (shipped, delivered, cancelled, refunded)."""
        rng = random.Random(7)  # noqa: S311  (repeatable demo data, not security)
        for code, kind, value, extra in catalogue.COUPONS:
            coupons_services.coupon_create(code=code, kind=kind, value=value, **extra)
        variants = inventory_selectors.variant_ids_in_stock(limit=400)
        shoppers = self._demo_customers(rng)
        placed = 0
        for _ in range(count * 2):
            if placed >= count:
                break
            user_id, email, address = rng.choice(shoppers)
            cart_id = cart_services.cart_open(user_id=user_id)
            for variant_id in rng.sample(variants, rng.randint(1, 3)):
                try:
                    cart_services.cart_line_add(
                        cart_id=cart_id, variant_id=variant_id, quantity=rng.choice([1, 1, 1, 2])
                    )
                except ApplicationError:
                    continue
            if rng.random() < 0.25:
                with contextlib.suppress(ApplicationError):
                    cart_services.cart_coupon_apply(
                        cart_id=cart_id,
                        code=rng.choice(catalogue.COUPONS)[0],
                        customer_id=user_id,
                    )
            method = rng.choices(["card", "transfer", "cod"], weights=[6, 2, 2])[0]
            card = None
            if method == "card":
                number = "4000000000000002" if rng.random() < 0.08 else "4242424242424242"
                card = sales_services.CardInput(
                    number=number, exp_month=12, exp_year=2030, cvc="123"
                )
            try:
                order = sales_services.order_place(
                    cart_id=cart_id,
                    customer_id=user_id,
                    email=email,
                    shipping_address=address,
                    payment_method=method,
                    shipping_method=rng.choices(["standard", "express"], weights=[8, 2])[0],
                    card=card,
                )
            except ApplicationError:
                cart_services.cart_clear(cart_id=cart_id)
                continue
            placed += 1
            self._move_along(order, rng)
        self.stdout.write(self.style.SUCCESS(f"Pedidos de demostración: {placed}."))

    def _seed_history(self, options) -> None:
        if options["if_empty"] and sales_selectors.order_number_exists(
            number=f"{history.NUMBER_PREFIX}{1:07d}"
        ):
            return
        if options["orders"] is not None and options["lines"] is not None:
            raise CommandError("Indique --orders o --lines, no los dos.")
        lines = options["lines"] if options["lines"] is not None else 20_000
        orders = options["orders"] or history.orders_for_lines(lines)
        generator = history.HistoryGenerator(
            variants=inventory_selectors.variant_refs_on_sale(limit=5000),
            orders=orders,
            years=options["years"],
        )
        started = time.monotonic()

        def progress(done: int) -> None:
            self.stdout.write(f"\rHistórico: {done}/{orders} pedidos", ending="")
            self.stdout.flush()

        try:
            report = sales_services.order_history_load(
                orders=generator,
                stock=sales_services.STOCK_UNTOUCHED,
                batch_size=5000,
                progress=progress,
            )
        except ApplicationError as error:
            raise CommandError(f"{error.message} {error.details or ''}") from None
        seconds = time.monotonic() - started
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Histórico de demostración: {report.imported} pedidos, {report.lines} líneas "
                f"({report.skipped} ya estaban) en {seconds:.1f} s."
            )
        )

    def _move_along(self, order, rng: random.Random) -> None:
        steps = {
            "card": ["preparing", "shipped", "delivered"],
            "transfer": ["paid", "preparing", "shipped", "delivered"],
            "cod": ["preparing", "shipped", "delivered"],
        }[order.payment_method]
        roll = rng.random()
        if roll < 0.1:
            sales_services.order_transition(
                order_number=order.number, to_status="cancelled", by_user_id=None, note="Demo"
            )
            return
        for status in steps[: rng.randint(0, len(steps))]:
            sales_services.order_transition(
                order_number=order.number, to_status=status, by_user_id=None
            )
        if roll > 0.93 and order.payment_method == "card":
            sales_services.order_refund(order_number=order.number, by_user_id=None, note="Demo")
