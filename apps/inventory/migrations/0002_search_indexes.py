"""Full-text (Spanish) and trigram indexes for the product search, on PostgreSQL only.

The search filters on to_tsvector('spanish', search_document) and on the
trigram similarity of the name; SQLite and MySQL use a simpler LIKE search.
Creating pg_trgm needs a role allowed to create extensions.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS product_search_fts_idx ON inventory_product "
    "USING gin (to_tsvector('spanish'::regconfig, COALESCE(search_document, '')))",
    "CREATE INDEX IF NOT EXISTS product_name_trgm_idx ON inventory_product "
    "USING gin (name gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS product_search_fts_idx",
    "DROP INDEX IF EXISTS product_name_trgm_idx",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
