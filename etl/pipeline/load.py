"""Load: upserts by natural key into the warehouse, set-based.

PostgreSQL: rows are streamed with ``COPY`` into a temporary staging table, then one
``INSERT … SELECT … ON CONFLICT DO UPDATE``. SQLite: one ``executemany`` of the same upsert.
Either way a row is only rewritten when a value changed, so a row keeps the id of the run
that last changed it and running a window twice leaves every table byte-identical.
"""

from collections.abc import Iterable, Sequence

from django.db import connections

from .tables import Table

WAREHOUSE = "warehouse"


class Writer:
    """Writes into the warehouse on its connection; call inside the run's transaction."""

    def __init__(self, run_id: int, using: str = WAREHOUSE):
        self.run_id = run_id
        self.connection = connections[using]
        self.vendor = self.connection.vendor
        self._staged: set[str] = set()

    # -- plain SQL -------------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence = ()) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def fetch(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def in_list(self, column: str, values: Sequence) -> tuple[str, list]:
        """``column IN (%s, …)`` and its parameters (empty lists match nothing)."""
        if not values:
            return "1 = 0", []
        if self.vendor == "postgresql":  # one array parameter: no huge statement to parse
            return f"{column} = ANY(%s)", [list(values)]
        return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)

    def delete_where_in(self, table: str, column: str, values: Sequence) -> int:
        deleted = 0
        for start in range(0, len(values), 500):
            clause, params = self.in_list(column, values[start : start + 500])
            deleted += self.execute(f"DELETE FROM {table} WHERE {clause}", params)  # noqa: S608
        return deleted

    # -- upserts ---------------------------------------------------------------------------

    def upsert(self, table: Table, rows: Iterable[tuple]) -> int:
        """Insert or update ``rows`` (in ``table.columns`` order); returns how many were given."""
        rows = self._prepared(table, rows)
        if not rows:
            return 0
        if self.vendor == "postgresql":
            self._upsert_postgresql(table, rows)
        else:
            self._upsert_sqlite(table, rows)
        return len(rows)

    def _prepared(self, table: Table, rows: Iterable[tuple]) -> list[tuple]:
        positions = table.datetime_positions
        extra = (self.run_id,) if table.has_run else ()
        if not positions or self.vendor == "postgresql":
            return [(*row, *extra) for row in rows]
        adapt = self.connection.ops.adapt_datetimefield_value
        prepared = []
        for row in rows:
            row = list(row)
            for i in positions:
                row[i] = adapt(row[i])
            prepared.append((*row, *extra))
        return prepared

    def _conflict_clause(self, table: Table, incoming: str) -> str:
        columns = table.all_columns
        changing = [c for c in table.columns if c not in table.key]
        keys = ", ".join(table.key)
        if not changing:
            return f"ON CONFLICT ({keys}) DO NOTHING"
        sets = ", ".join(f"{c} = {incoming}.{c}" for c in columns if c not in table.key)
        if self.vendor == "postgresql":
            old = ", ".join(f"{table.name}.{c}" for c in changing)
            new = ", ".join(f"{incoming}.{c}" for c in changing)
            changed = f"ROW({old}) IS DISTINCT FROM ROW({new})"
        else:
            changed = " OR ".join(f"{table.name}.{c} IS NOT {incoming}.{c}" for c in changing)
        return f"ON CONFLICT ({keys}) DO UPDATE SET {sets} WHERE {changed}"

    def _upsert_sqlite(self, table: Table, rows: list[tuple]) -> None:
        columns = table.all_columns
        sql = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(columns))}) "
            + self._conflict_clause(table, "excluded")
        )
        with self.connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    def _upsert_postgresql(self, table: Table, rows: list[tuple]) -> None:
        columns = ", ".join(table.all_columns)
        stage = f"etl_stage_{table.name}"
        with self.connection.cursor() as cursor:
            if stage not in self._staged:
                cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "  # noqa: S608
                    f"SELECT {columns} FROM {table.name} WHERE false"
                )
                self._staged.add(stage)
            with cursor.cursor.copy(f"COPY {stage} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM {stage} "  # noqa: S608
                + self._conflict_clause(table, "EXCLUDED")
            )
            cursor.execute(f"TRUNCATE {stage}")
