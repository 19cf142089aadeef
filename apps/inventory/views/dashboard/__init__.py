"""The manager's catalogue and stock pages (/dashboard/catalogo/). Every view is manager-only.

Thin: forms parse, ``services`` write, ``selectors`` read, ``exports`` build the downloads.
``products``, ``stock``, ``catalogue`` (categories and brands), ``imports`` and ``exports``
import nothing from each other but ``products.product_or_404``.
"""
