"""Inventory use cases: the stock ledger, the catalogue and its imports.

The public face of the app's writes: other apps import this package, never a submodule.
Inside, the submodules import one way: ``imports`` -> ``import_reports``,
``import_products`` -> ``import_rows`` -> ``import_files``, ``catalogue_bulk``, ``stock``
-> ``bulk_writes``, ``rules``; ``catalogue`` -> ``stock``.
"""

from ..errors import (
    CatalogueFileError,
    ImportJobStateError,
    InventoryValidationError,
    NotFoundError,
    OutOfStockError,
    ProductUnavailableError,
)
from .catalogue import (
    brand_create,
    brand_update,
    category_create,
    category_update,
    product_create,
    product_edit,
    product_image_add,
    product_image_remove,
    product_update,
    variant_add,
    variant_update,
)
from .catalogue_bulk import BulkProduct, catalogue_bulk_load
from .import_files import FORMATS, file_format
from .imports import (
    IMPORT_BACKGROUND_BYTES,
    IMPORT_BACKGROUND_ROWS,
    IMPORT_BATCH_ROWS,
    IMPORT_CHUNK_ROWS,
    KINDS,
    catalogue_import,
    import_is_large,
    import_job_confirm,
    import_job_create,
    import_job_fail_stale,
    import_job_run,
)
from .rules import (
    LOW_STOCK_THRESHOLD_MAX,
    ON_HAND_MAX,
    POSITION_MAX,
    PRICE_MAX,
    STOCK_MOVEMENT_MAX,
    StockLine,
    VariantInput,
)
from .stock import (
    STOCK_IMPORT_REASON,
    product_sales_rank_refresh,
    stock_adjust,
    stock_level_set,
    stock_receive,
    stock_reserve,
    stock_return,
)

__all__ = [
    "FORMATS",
    "IMPORT_BACKGROUND_BYTES",
    "IMPORT_BACKGROUND_ROWS",
    "IMPORT_BATCH_ROWS",
    "IMPORT_CHUNK_ROWS",
    "KINDS",
    "LOW_STOCK_THRESHOLD_MAX",
    "ON_HAND_MAX",
    "POSITION_MAX",
    "PRICE_MAX",
    "STOCK_IMPORT_REASON",
    "STOCK_MOVEMENT_MAX",
    "BulkProduct",
    "CatalogueFileError",
    "ImportJobStateError",
    "InventoryValidationError",
    "NotFoundError",
    "OutOfStockError",
    "ProductUnavailableError",
    "StockLine",
    "VariantInput",
    "brand_create",
    "brand_update",
    "catalogue_bulk_load",
    "catalogue_import",
    "category_create",
    "category_update",
    "file_format",
    "import_is_large",
    "import_job_confirm",
    "import_job_create",
    "import_job_fail_stale",
    "import_job_run",
    "product_create",
    "product_edit",
    "product_image_add",
    "product_image_remove",
    "product_sales_rank_refresh",
    "product_update",
    "stock_adjust",
    "stock_level_set",
    "stock_receive",
    "stock_reserve",
    "stock_return",
    "variant_add",
    "variant_update",
]
