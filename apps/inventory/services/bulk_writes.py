"""Many rows updated by primary key in one statement run for each row (``executemany``).

Django's ``bulk_update`` builds a ``CASE WHEN pk = ... THEN ...`` expression for every field
of every row, resolved in Python: about a millisecond a row, most of an import batch's time.
Here the values are prepared the way Django saves them (``get_db_prep_save``) and the
database runs one prepared UPDATE per row.
"""

from django.db import connection


def update_rows(model, fields: list[str], objects) -> int:
    """UPDATE ``fields`` of each object (by its primary key). Returns how many objects."""
    objects = list(objects)
    if not objects:
        return 0
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608 (names from the model, values bound)
    params = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns]
        + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(objects)
