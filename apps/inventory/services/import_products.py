"""Product rows of a catalogue import (one row per variant), a batch at a time.

A known SKU updates its variant (price, cost, options) and its product (name, category,
brand, description, flags). A new SKU joins the product of the same name and category (made
by an earlier row of the file, or the one such product in the shop) or starts a new product.
A brand unknown to the shop is created. See ``import_rows`` for the steps.
"""

from decimal import Decimal

from django.db.models import Count
from django.db.models.functions import Upper
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Brand, Category, Product, Variant
from . import import_files as cells
from .bulk_writes import update_rows
from .catalogue_bulk import products_insert, products_refresh
from .import_rows import Row, Rules, ascii_upper, brands_by_name, planned
from .rules import BRAND_NAME_MAX, PRODUCT_NAME_MAX, SLUG_MAX, unique_slugs

MISSING_NAME = gettext_lazy("Falta el nombre del producto.")
PRODUCT_FIELDS = ("name", "category_id", "brand_name", "description", "is_active", "is_featured")
VARIANT_FIELDS = ("price", "cost", "options")


def _product_state(product: Product) -> dict:
    return {
        "name": product.name,
        "category_id": product.category_id,
        "brand_name": product.brand.name if product.brand_id else "",
        "description": product.description,
        "is_active": product.is_active,
        "is_featured": product.is_featured,
    }


def _differs(field: str, current, wanted) -> bool:
    if field == "brand_name":
        return current.casefold() != wanted.casefold()
    return current != wanted


class ProductRules(Rules):
    kind = "products"
    required = ("sku", "product", "category", "price")
    optional = ("brand", "cost", "options", "description", "active", "featured")
    columns = (
        "sku", "product", "category", "brand", "price", "cost", "options", "description",
        "active", "featured",
    )  # fmt: skip
    key_column = "sku"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # (name casefolded, category id) -> the product rows of that name join: an id, or
        # a negative number for a product planned and not written yet (the check pass).
        self.in_file: dict[tuple[str, int], int] = {}

    def normalise_key(self, value) -> str:
        return cells.text(value).upper()

    def parse(self, record, notes):
        get = record.get
        steps = [
            (
                "name",
                lambda: cells.bounded_text(
                    get("product"),
                    "product",
                    maximum=PRODUCT_NAME_MAX,
                    required=MISSING_NAME,
                ),
            ),
            (
                "brand_name",
                lambda: cells.bounded_text(get("brand"), "brand", maximum=BRAND_NAME_MAX),
            ),
            (
                "price",
                lambda: cells.amount(
                    get("price"), "price", allow_zero=False, **self.reading(notes)
                ),
            ),
        ]
        if "cost" in record:
            steps.append(
                (
                    "cost",
                    lambda: cells.amount(
                        get("cost") or "0", "cost", allow_zero=True, **self.reading(notes)
                    ),
                )
            )
        if "options" in record:
            steps.append(("options", lambda: cells.parse_options(get("options"))))
        if "description" in record:
            steps.append(("description", lambda: cells.text(get("description"))))
        if "active" in record:
            steps.append(("is_active", lambda: cells.boolean(get("active"), "active")))
        if "featured" in record:
            steps.append(("is_featured", lambda: cells.boolean(get("featured"), "featured")))
        return self.collect(steps)

    # --- Plan ------------------------------------------------------------------------------

    def _category_error(self, row: Row, category_ids: dict) -> None:
        slug = cells.text(row.record.get("category")).lower()
        if slug in category_ids:
            row.values["category_id"] = category_ids[slug]
            return
        message = (
            _("La categoría «%(slug)s» no existe.") % {"slug": slug[:SLUG_MAX]}
            if slug
            else _("Falta la categoría.")
        )
        messages = [m for m in row.messages if m.startswith("product: ")] if not row.ok else []
        rest = [m for m in row.messages if m not in messages] if not row.ok else []
        row.action = "error"
        row.messages = [*messages, f"category: {message}", *rest]

    def plan(self, rows):
        slugs = {cells.text(row.record.get("category")).lower() for row in rows}
        category_ids = dict(Category.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        for row in rows:
            self._category_error(row, category_ids)
        rows = planned(rows)
        variants = {
            variant.sku: variant
            for variant in Variant.objects.filter(sku__in=[row.key for row in rows]).select_related(
                "product__brand"
            )
        }
        self.brands = brands_by_name(row.values["brand_name"] for row in rows)
        self.products = {}  # product id -> its state as the batch's rows leave it
        self.originals = {}  # product id -> its state before the batch
        matches = self._shop_products([row for row in rows if row.key not in variants])
        for row in rows:
            variant = variants.get(row.key)
            if variant is None:
                self._plan_new(row, matches)
            else:
                self._plan_known(row, variant)

    def _shop_products(self, rows: list[Row]) -> dict[tuple[str, int], int]:
        """The one product of each (name, category) the new SKUs may join: one query."""
        wanted = {
            (row.values["name"].casefold(), row.values["category_id"])
            for row in rows
            if (row.values["name"].casefold(), row.values["category_id"]) not in self.in_file
        }
        if not wanted:
            return {}
        names = {row.values["name"] for row in rows}
        candidates = (
            Product.objects.annotate(upper_name=Upper("name"))
            .filter(
                category_id__in={category for _name, category in wanted},
                upper_name__in={n.upper() for n in names} | {ascii_upper(n) for n in names},
            )
            .values_list("pk", "name", "category_id")
        )
        found: dict[tuple[str, int], list[int]] = {}
        for pk, name, category_id in candidates:
            key = (name.casefold(), category_id)
            if key in wanted:
                found.setdefault(key, []).append(pk)
        return {key: pks[0] for key, pks in found.items() if len(pks) == 1}

    def _plan_new(self, row: Row, matches: dict) -> None:
        key = (row.values["name"].casefold(), row.values["category_id"])
        product_id = self.in_file.get(key) or matches.get(key)
        if product_id is None:
            product_id = -row.number  # a new product, written with this row
            row.values["creates_product"] = True
        self.in_file[key] = product_id
        row.values["product_id"] = product_id
        row.action = "new"

    def _plan_known(self, row: Row, variant: Variant) -> None:
        product_id = variant.product_id
        if product_id not in self.products:
            self.products[product_id] = _product_state(variant.product)
            self.originals[product_id] = dict(self.products[product_id])
        state = self.products[product_id]
        product_changes = {
            field: row.values[field]
            for field in PRODUCT_FIELDS
            if field in row.values and _differs(field, state[field], row.values[field])
        }
        before = {field: getattr(variant, field) for field in VARIANT_FIELDS}
        variant_changes = {
            field: row.values[field]
            for field in VARIANT_FIELDS
            if field in row.values and before[field] != row.values[field]
        }
        state.update(product_changes)
        row.values.update(product_id=product_id, variant_id=variant.pk, variant_before=before)
        row.values["variant_changes"] = variant_changes
        row.values["product_changed"] = bool(product_changes)
        self.in_file[(row.values["name"].casefold(), row.values["category_id"])] = product_id
        row.action = "update" if product_changes or variant_changes else "skip"

    # --- Write -----------------------------------------------------------------------------

    def write(self, rows):
        rows = [row for row in rows if row.action in ("new", "update")]
        brand_ids = self._brands_write(rows)
        created = self._products_create(rows, brand_ids)
        touched = self._products_update(rows, brand_ids)
        self._variants_write(rows, created)
        products_refresh(product_ids=[*created.values(), *touched])

    def _brand_id(self, name: str, brand_ids: dict) -> int | None:
        return brand_ids.get(name.casefold()) if name else None

    def _brands_write(self, rows: list[Row]) -> dict[str, int]:
        """Ids of the batch's brands by casefolded name; the new ones are created here."""
        brand_ids = {folded: pk for folded, (pk, _name, _active) in self.brands.items()}
        wanted = [
            *(row.values["brand_name"] for row in rows if row.values.get("creates_product")),
            *(state["brand_name"] for state in self.products.values()),
        ]
        new: dict[str, str] = {}
        for name in wanted:
            if name and name.casefold() not in brand_ids:
                new.setdefault(name.casefold(), name)
        if new:
            names = list(new.values())
            slugs = unique_slugs(Brand, names)
            Brand.objects.bulk_create(
                Brand(name=name, slug=slug) for name, slug in zip(names, slugs, strict=True)
            )
            created = brands_by_name(names)
            brand_ids.update({folded: pk for folded, (pk, _n, _a) in created.items()})
            rows[0].undo = {"brands": [pk for pk, _n, _a in created.values()]}
        return brand_ids

    def _products_create(self, rows: list[Row], brand_ids: dict) -> dict[int, int]:
        """The batch's new products written; planned id (negative) -> real id."""
        makers = [row for row in rows if row.values.get("creates_product")]
        slugs = unique_slugs(Product, [row.values["name"] for row in makers])
        products = [
            Product(
                name=row.values["name"],
                slug=slug,
                category_id=row.values["category_id"],
                brand_id=self._brand_id(row.values["brand_name"], brand_ids),
                description=row.values.get("description", "").strip(),
                is_active=row.values.get("is_active", True),
                is_featured=row.values.get("is_featured", False),
            )
            for row, slug in zip(makers, slugs, strict=True)
        ]
        products_insert(products)
        created = {}
        for row, product in zip(makers, products, strict=True):
            created[row.values["product_id"]] = product.pk
            self.in_file[(row.values["name"].casefold(), row.values["category_id"])] = product.pk
            row.undo = {**(row.undo or {}), "product": product.pk}
        return created

    def _products_update(self, rows: list[Row], brand_ids: dict) -> list[int]:
        touched = sorted({row.values["product_id"] for row in rows if row.action == "update"})
        changed = [pk for pk in touched if self.products[pk] != self.originals[pk]]
        products = []
        for pk in changed:
            state = self.products[pk]
            products.append(
                Product(
                    pk=pk,
                    name=state["name"],
                    category_id=state["category_id"],
                    brand_id=self._brand_id(state["brand_name"], brand_ids),
                    description=state["description"],
                    is_active=state["is_active"],
                    is_featured=state["is_featured"],
                )
            )
        fields = ["name", "category_id", "brand_id", "description", "is_active", "is_featured"]
        update_rows(Product, fields, products)
        first_rows = {}
        for row in rows:
            if row.action == "update":
                first_rows.setdefault(row.values["product_id"], row)
        for pk in changed:
            original = self.originals[pk]
            row = first_rows[pk]
            row.undo = {
                **(row.undo or {}),
                "product_id": pk,
                "product_before": {
                    **original,
                    "brand_id": self._brand_id(original["brand_name"], brand_ids),
                },
            }
        return touched

    def _variants_write(self, rows: list[Row], created: dict[int, int]) -> None:
        new = [row for row in rows if row.action == "new"]
        for row in new:
            row.values["product_id"] = created.get(
                row.values["product_id"], row.values["product_id"]
            )
        positions = dict(
            Variant.objects.filter(product_id__in={row.values["product_id"] for row in new})
            .values("product_id")
            .annotate(n=Count("pk"))
            .values_list("product_id", "n")
            .order_by()
        )
        variants = []
        for row in new:
            position = positions.get(row.values["product_id"], 0)
            positions[row.values["product_id"]] = position + 1
            variants.append(
                Variant(
                    product_id=row.values["product_id"],
                    sku=row.key,
                    price=row.values["price"],
                    cost=row.values.get("cost", Decimal("0")),
                    options=row.values.get("options", {}),
                    position=position,
                )
            )
        Variant.objects.bulk_create(variants)
        for row, variant in zip(new, variants, strict=True):
            row.undo = {**(row.undo or {}), "variant": variant.pk or variant.sku}
        updates = [row for row in rows if row.action == "update" and row.values["variant_changes"]]
        changed = []
        for row in updates:
            variant = Variant(pk=row.values["variant_id"], **row.values["variant_before"])
            for field, value in row.values["variant_changes"].items():
                setattr(variant, field, value)
            changed.append(variant)
            row.undo = {
                **(row.undo or {}),
                "variant_id": variant.pk,
                "variant_before": {
                    field: str(value) if isinstance(value, Decimal) else value
                    for field, value in row.values["variant_before"].items()
                },
            }
        update_rows(Variant, list(VARIANT_FIELDS), changed)

    # --- Restore (an aborted import) -----------------------------------------------------

    def restore(self, undo):
        touched = set()
        variants = [entry["variant_id"] for entry in undo if "variant_id" in entry]
        restored = [
            Variant(
                pk=entry["variant_id"],
                price=Decimal(entry["variant_before"]["price"]),
                cost=Decimal(entry["variant_before"]["cost"]),
                options=entry["variant_before"]["options"],
            )
            for entry in undo
            if "variant_id" in entry
        ]
        existing = set(Variant.objects.filter(pk__in=variants).values_list("pk", flat=True))
        update_rows(Variant, list(VARIANT_FIELDS), [v for v in restored if v.pk in existing])
        for entry in undo:
            if "product_before" in entry:
                before = {
                    key: value
                    for key, value in entry["product_before"].items()
                    if key != "brand_name"
                }
                Product.objects.filter(pk=entry["product_id"]).update(**before)
                touched.add(entry["product_id"])
        touched |= set(Variant.objects.filter(pk__in=variants).values_list("product_id", flat=True))
        self._remove_created(undo, touched)
        products_refresh(
            product_ids=Product.objects.filter(pk__in=touched).values_list("pk", flat=True)
        )

    @staticmethod
    def _remove_created(undo: list[dict], touched: set) -> None:
        """New variants go (or, sold since, are switched off), then products left without
        variants and brands left without products."""
        created = [entry["variant"] for entry in undo if "variant" in entry]
        ids = [value for value in created if isinstance(value, int)]
        skus = [value for value in created if isinstance(value, str)]
        new_variants = Variant.objects.filter(pk__in=ids) | Variant.objects.filter(sku__in=skus)
        touched |= set(new_variants.values_list("product_id", flat=True))
        new_variants.filter(movements__isnull=False).update(is_active=False)
        Variant.objects.filter(
            pk__in=new_variants.filter(movements__isnull=True).values("pk")
        ).delete()
        products = [entry["product"] for entry in undo if "product" in entry]
        Product.objects.filter(pk__in=products, variants__isnull=True).delete()
        brands = [pk for entry in undo for pk in entry.get("brands", ())]
        Brand.objects.filter(pk__in=brands, products__isnull=True).delete()
