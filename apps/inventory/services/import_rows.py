"""The rows of a catalogue import, a batch at a time: the rules of each kind of file.

Each kind (``RULES``) says its columns and key, and works on a batch of rows in three steps:

- ``parse`` (pure, per row): the cells into values, by ``import_files``; a bad cell is a row
  error. The check pass and the import pass parse with the same code.
- ``plan`` (reads, per batch): the batch's keys resolved in one query per table (variants,
  products, brands, categories), and each row's action decided: new, update, skip or
  error (an unknown category, a SKU that is not in the shop).
- ``write`` (the import pass only, inside the batch's short transaction): the planned rows
  written with ``bulk_create``/``bulk_update`` and the stock ledger, each row keeping in
  ``undo`` what an abort needs to restore it; ``restore`` undoes a batch of those.

A rules object lives for one pass over one file; what later rows may rely on (a product or
a category an earlier row creates) it remembers by key.
"""

import dataclasses

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Upper
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core import spreadsheets
from apps.core.errors import ApplicationError

from .. import selectors
from ..models import Brand, Category, Variant
from . import import_files as cells
from .bulk_writes import update_rows
from .rules import (
    BRAND_NAME_MAX,
    CATEGORY_NAME_MAX,
    ICON_MAX,
    ON_HAND_MAX,
    POSITION_MAX,
    SKU_MAX,
    SLUG_MAX,
    unique_slugs,
)
from .stock import STOCK_IMPORT_REASON, stock_levels_set, stock_levels_shift_back

UNDO_REASON = "Importación anulada"
MISSING_NAME = gettext_lazy("Falta el nombre.")


def brands_by_name(names) -> dict[str, tuple[int, str, bool]]:
    """The brands of these names, case-insensitively, in one query: casefolded name ->
    (id, name, active). UPPER() is Unicode-aware on PostgreSQL and MySQL and ASCII-only on
    SQLite, so both spellings of each name are asked for."""
    names = {name for name in names if name}
    if not names:
        return {}
    upper = {name.upper() for name in names} | {ascii_upper(name) for name in names}
    wanted = {name.casefold() for name in names}
    rows = (
        Brand.objects.annotate(upper_name=Upper("name"))
        .filter(upper_name__in=upper)
        .values_list("pk", "name", "is_active")
    )
    return {
        name.casefold(): (pk, name, active)
        for pk, name, active in rows
        if name.casefold() in wanted
    }


def ascii_upper(text: str) -> str:
    return "".join(char.upper() if char.isascii() else char for char in text)


@dataclasses.dataclass
class Row:
    number: int  # the row in the file, counting the header as row 1
    key: str
    record: dict  # column -> cell
    values: dict = dataclasses.field(default_factory=dict)
    action: str = ""  # new | update | skip | error
    messages: list[str] = dataclasses.field(default_factory=list)  # errors, or reading notes
    undo: dict | None = None

    @property
    def ok(self) -> bool:
        return self.action != "error"

    def fail(self, error: Exception) -> None:
        self.action = "error"
        if isinstance(error, ValidationError):
            self.messages = cells.validation_messages(error)
        elif isinstance(error, ApplicationError):
            self.messages = [error.message]
        else:
            self.messages = [str(error)]


class Rules:
    """One kind of file. Subclasses set the columns and implement parse, plan and write."""

    kind = ""
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    key_column = ""
    key_max = SKU_MAX

    def __init__(self, *, user_id: int | None = None, number_style: str = spreadsheets.ENGLISH):
        self.user_id = user_id
        self.number_style = number_style

    columns: tuple[str, ...] = ()  # every column, in the order exports write them

    def normalise_key(self, value) -> str:
        return cells.text(value)

    def reading(self, notes: list[str]) -> dict:
        """The arguments of ``cells.amount``/``cells.integer`` for one row."""
        return {"style": self.number_style, "notes": notes}

    def read(self, number: int, raw: list, headers: list[str]) -> Row:
        """A file row as a Row, parsed; its errors so far (ragged, oversized, key, cells)."""
        width = len(headers)
        values = list(raw[:width]) + [""] * (width - len(raw))
        record = dict(zip(headers, values, strict=True))
        key = self.normalise_key(record[self.key_column])
        row = Row(number=number, key=key[:140], record=record)
        try:
            if not cells.is_blank(raw[width:]):
                raise ValidationError(
                    {"__all__": [_("La fila tiene más columnas que la cabecera.")]}
                )
            oversized = cells.oversized_cells(headers, values)
            if oversized is not None:
                raise oversized
            if not key:
                raise ValidationError({self.key_column: _("Falta el valor de la columna clave.")})
            cells.bounded_text(key, self.key_column, maximum=self.key_max)
            notes: list[str] = []
            row.values = self.parse(record, notes)
            row.messages = notes
        except ValidationError as error:
            row.fail(error)
        return row

    def mark_repeated(self, rows: list[Row], first_rows: dict[str, int]) -> None:
        """A key seen in an earlier row (``first_rows``: key -> its first row) is an error."""
        seen = dict(first_rows)
        for row in rows:
            if not row.key:
                continue
            first = seen.setdefault(row.key, row.number)
            if first < row.number:
                message = _("«%(key)s» está repetido en el archivo (ya en la fila %(row)s).")
                row.fail(
                    ValidationError({self.key_column: message % {"key": row.key, "row": first}})
                )

    @staticmethod
    def collect(parse_steps) -> dict:
        """Run ``(key, parse)`` steps, gathering every cell's error into one ValidationError."""
        values, errors = {}, {}
        for key, parse in parse_steps:
            try:
                values[key] = parse()
            except ValidationError as error:
                for column, messages in error.message_dict.items():
                    errors.setdefault(column, []).extend(messages)
        if errors:
            raise ValidationError(errors)
        return values

    # To implement.
    def parse(self, record: dict, notes: list[str]) -> dict:
        raise NotImplementedError

    def plan(self, rows: list[Row]) -> None:
        raise NotImplementedError

    def write(self, rows: list[Row]) -> None:
        raise NotImplementedError

    def restore(self, undo: list[dict]) -> None:
        raise NotImplementedError


def planned(rows: list[Row]) -> list[Row]:
    return [row for row in rows if row.ok]


# --- Stock levels ----------------------------------------------------------------------------


class StockRules(Rules):
    kind = "stock"
    required = ("sku", "on_hand")
    columns = required
    key_column = "sku"

    def normalise_key(self, value) -> str:
        return cells.text(value).upper()

    def parse(self, record, notes):
        return {
            "on_hand": cells.integer(
                record.get("on_hand"), "on_hand", maximum=ON_HAND_MAX, **self.reading(notes)
            )
        }

    def plan(self, rows):
        found, levels = {}, {}
        for sku, pk, on_hand in Variant.objects.filter(
            sku__in=[row.key for row in planned(rows)]
        ).values_list("sku", "pk", "on_hand"):
            found[sku], levels[pk] = pk, on_hand
        for row in planned(rows):
            variant_id = found.get(row.key)
            if variant_id is None:
                row.fail(
                    ValidationError({"sku": _("El SKU «%(sku)s» no existe.") % {"sku": row.key}})
                )
                continue
            row.values["variant_id"] = variant_id
            row.action = "skip" if levels[variant_id] == row.values["on_hand"] else "update"

    def write(self, rows):
        changing = [row for row in rows if row.action == "update"]
        deltas = stock_levels_set(
            levels={row.values["variant_id"]: row.values["on_hand"] for row in changing},
            reason=STOCK_IMPORT_REASON,
            user_id=self.user_id,
        )
        for row in changing:
            delta = deltas.get(row.values["variant_id"])
            if delta:
                row.undo = {"variant_id": row.values["variant_id"], "delta": delta}

    def restore(self, undo):
        deltas: dict[int, int] = {}
        for entry in undo:
            deltas[entry["variant_id"]] = deltas.get(entry["variant_id"], 0) + entry["delta"]
        stock_levels_shift_back(deltas=deltas, reason=UNDO_REASON, user_id=self.user_id)


# --- Categories ------------------------------------------------------------------------------

CATEGORY_FIELDS = ("name", "parent_id", "description", "icon", "position", "is_active")


class CategoryRules(Rules):
    kind = "categories"
    required = ("slug", "name")
    optional = ("parent", "description", "icon", "position", "active")
    columns = (*required, *optional)
    key_column = "slug"
    key_max = SLUG_MAX
    PLANNED_ID = 0  # a category checked but not written (the check pass): no id yet

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.in_file: dict[str, int] = {}  # slug -> id of the categories this pass creates

    def normalise_key(self, value) -> str:
        return cells.text(value).lower()

    def parse(self, record, notes):
        steps = [
            (
                "name",
                lambda: cells.bounded_text(
                    record.get("name"),
                    "name",
                    maximum=CATEGORY_NAME_MAX,
                    required=MISSING_NAME,
                ),
            )
        ]
        if "parent" in record:
            steps.append(("parent", lambda: cells.text(record.get("parent")).lower()))
        if "description" in record:
            steps.append(("description", lambda: cells.text(record.get("description"))))
        if "icon" in record:
            steps.append(
                (
                    "icon",
                    lambda: (
                        cells.bounded_text(record.get("icon"), "icon", maximum=ICON_MAX) or "box"
                    ),
                )
            )
        if "position" in record:
            steps.append(
                (
                    "position",
                    lambda: cells.integer(
                        record.get("position") or 0,
                        "position",
                        maximum=POSITION_MAX,
                        **self.reading(notes),
                    ),
                )
            )
        if "active" in record:
            steps.append(("is_active", lambda: cells.boolean(record.get("active"), "active")))
        return self.collect(steps)

    def _parent_id(self, row: Row, slug: str, by_slug: dict) -> int | None:
        if not slug:
            return None
        if slug == row.key:
            raise ValidationError({"parent": _("Una categoría no puede colgar de sí misma.")})
        if slug in by_slug:
            return by_slug[slug]["pk"]
        if slug in self.in_file:
            return self.in_file[slug]
        raise ValidationError(
            {
                "parent": _(
                    "La categoría padre «%(slug)s» no existe (póngala en una fila anterior)."
                )
                % {"slug": slug}
            }
        )

    @staticmethod
    def _below_itself(category_id: int, parent_id: int | None, parents: dict) -> bool:
        seen = set()
        while parent_id is not None and parent_id not in seen:
            if parent_id == category_id:
                return True
            seen.add(parent_id)
            parent_id = parents.get(parent_id)
        return False

    def plan(self, rows):
        categories = list(Category.objects.values("pk", "slug", *CATEGORY_FIELDS))
        by_slug = {category["slug"]: category for category in categories}
        parents = {category["pk"]: category["parent_id"] for category in categories}
        for row in planned(rows):
            try:
                self._plan_row(row, by_slug, parents)
            except ValidationError as error:
                row.fail(error)

    def _plan_row(self, row: Row, by_slug: dict, parents: dict) -> None:
        if "parent" in row.values:
            row.values["parent_slug"] = row.values.pop("parent")
        if "parent_slug" in row.values:
            row.values["parent_id"] = self._parent_id(row, row.values["parent_slug"], by_slug)
        existing = by_slug.get(row.key)
        if existing is None:
            if slugify(row.key) != row.key:
                raise ValidationError(
                    {
                        "slug": _(
                            "«%(slug)s» no es un slug válido (minúsculas, números y guiones)."
                        )
                        % {"slug": row.key}
                    }
                )
            row.action = "new"
            self.in_file.setdefault(row.key, self.PLANNED_ID)
            return
        row.values["category_id"] = existing["pk"]
        if "parent_id" in row.values and self._below_itself(
            existing["pk"], row.values["parent_id"], parents
        ):
            raise ValidationError({"parent": _("Una categoría no puede colgar de sí misma.")})
        changes = {f: v for f, v in row.values.items() if f in CATEGORY_FIELDS and existing[f] != v}
        row.values["before"] = {field: existing[field] for field in changes}
        row.action = "update" if changes else "skip"
        if changes:
            existing.update(changes)
            parents[existing["pk"]] = existing["parent_id"]
        row.values["target"] = {field: existing[field] for field in CATEGORY_FIELDS}

    def _resolve_parent(self, row: Row) -> bool:
        """Whether the row's parent has an id now (a parent new in this batch gets one)."""
        if row.values.get("parent_id") == self.PLANNED_ID:
            row.values["parent_id"] = self.in_file.get(row.values["parent_slug"], self.PLANNED_ID)
        return row.values.get("parent_id") != self.PLANNED_ID

    def write(self, rows):
        waiting = [row for row in rows if row.action == "new"]
        while waiting:  # a wave at a time: a row whose parent is new waits for it
            wave = [row for row in waiting if self._resolve_parent(row)]
            if not wave:
                raise ValidationError(_("La categoría padre no existe."))
            created = [self._new(row) for row in wave]
            Category.objects.bulk_create(created)
            for row, category in zip(wave, created, strict=True):
                if category.pk is None:  # MySQL/MariaDB return no ids from a bulk insert
                    category.pk = Category.objects.values_list("pk", flat=True).get(slug=row.key)
                self.in_file[row.key] = category.pk
                row.undo = {"created": category.pk}
            waiting = [row for row in waiting if row.undo is None]
        categories = []
        for row in rows:
            if row.action != "update" or not self._resolve_parent(row):
                continue
            if "parent_id" in row.values:
                row.values["target"]["parent_id"] = row.values["parent_id"]
            category = Category(pk=row.values["category_id"], **row.values["target"])
            categories.append(category)
            row.undo = {"category_id": category.pk, "before": row.values["before"]}
        if categories:
            update_rows(Category, list(CATEGORY_FIELDS), categories)
        transaction.on_commit(selectors.category_tree_invalidate)

    @staticmethod
    def _new(row: Row) -> Category:
        return Category(
            slug=row.key, **{f: v for f, v in row.values.items() if f in CATEGORY_FIELDS}
        )

    def restore(self, undo):
        for entry in undo:
            if "before" in entry:
                Category.objects.filter(pk=entry["category_id"]).update(**entry["before"])
        created = [entry["created"] for entry in undo if "created" in entry]
        for category_id in sorted(created, reverse=True):  # children were created after parents
            if not Category.objects.filter(parent_id=category_id).exists():
                Category.objects.filter(pk=category_id, products__isnull=True).delete()
        transaction.on_commit(selectors.category_tree_invalidate)


# --- Brands (the admin's brand import) -------------------------------------------------------


class BrandRules(Rules):
    kind = "brands"
    required = ("name",)
    optional = ("active",)
    columns = (*required, *optional)
    key_column = "name"
    key_max = BRAND_NAME_MAX

    def normalise_key(self, value) -> str:
        return cells.text(value)

    def parse(self, record, notes):
        return {"is_active": cells.boolean(record.get("active", "1"), "active")}

    def plan(self, rows):
        found = brands_by_name([row.key for row in planned(rows)])
        for row in planned(rows):
            existing = found.get(row.key.casefold())
            if existing is None:
                row.action = "new"
                continue
            row.values["brand_id"], _name, before = existing
            row.action = "skip" if before == row.values["is_active"] else "update"

    def write(self, rows):
        new = [row for row in rows if row.action == "new"]
        slugs = unique_slugs(Brand, [row.key for row in new])
        brands = [
            Brand(name=row.key, slug=slug, is_active=row.values["is_active"])
            for row, slug in zip(new, slugs, strict=True)
        ]
        Brand.objects.bulk_create(brands)
        for row, brand in zip(new, brands, strict=True):
            row.undo = {"created_brand": brand.pk or None}
        for row in rows:
            if row.action == "update":
                Brand.objects.filter(pk=row.values["brand_id"]).update(
                    is_active=row.values["is_active"]
                )
                row.undo = {
                    "brand_id": row.values["brand_id"],
                    "is_active": not row.values["is_active"],
                }

    def restore(self, undo):
        for entry in undo:
            if "brand_id" in entry:
                Brand.objects.filter(pk=entry["brand_id"]).update(is_active=entry["is_active"])
            elif entry.get("created_brand"):
                Brand.objects.filter(pk=entry["created_brand"], products__isnull=True).delete()
