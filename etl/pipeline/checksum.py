"""Checksums of warehouse tables: every row in natural-key order, every column, hashed."""

import hashlib

from .load import Writer
from .tables import FACTS, Table

AGGREGATES = (
    Table("etl_aggdailysales", ("date_key",), ()),
    Table("etl_aggdailydimension", ("date_key", "dimension", "member"), ()),
    Table("etl_agghourlyorders", ("date_key", "hour"), ()),
    Table("etl_aggcustomer", ("customer_id",), ()),
    Table("etl_aggdailystock", ("date_key", "product_id"), ()),
)


def _columns(writer: Writer, table: str) -> list[str]:
    with writer.connection.cursor() as cursor:
        description = writer.connection.introspection.get_table_description(cursor, table)
    return [column.name for column in description]


def table_checksum(writer: Writer, table: Table, *, include_run: bool = True) -> str:
    skip = {"id"} | (set() if include_run else {"run_id"})
    columns = [c for c in _columns(writer, table.name) if c not in skip]
    digest = hashlib.sha256()
    with writer.connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM {table.name} ORDER BY {', '.join(table.key)}"  # noqa: S608
        )
        while rows := cursor.fetchmany(5000):
            for row in rows:
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def checksums(*, include_run: bool = True, aggregates: bool = False) -> dict[str, str]:
    writer = Writer(run_id=0)
    tables = FACTS + (AGGREGATES if aggregates else ())
    return {t.name: table_checksum(writer, t, include_run=include_run) for t in tables}
