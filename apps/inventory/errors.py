"""Inventory's business errors, each with a stable code and a message a manager can read."""

from apps.core.errors import ConflictError, InvalidInputError, NotFoundError

__all__ = [
    "CatalogueFileError",
    "ImportJobStateError",
    "InventoryValidationError",
    "NotFoundError",
    "OutOfStockError",
    "ProductUnavailableError",
]


class OutOfStockError(ConflictError):
    code = "out_of_stock"


class ProductUnavailableError(ConflictError):
    code = "product_unavailable"


class InventoryValidationError(InvalidInputError):
    code = "invalid"


class ImportJobStateError(ConflictError):
    code = "import_job_state"


class CatalogueFileError(InvalidInputError):
    """A catalogue file cannot be read at all (format, encoding, columns)."""

    code = "import_file_invalid"
