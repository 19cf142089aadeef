"""How each database engine is saved, brought back and checked.

PostgreSQL: ``pg_dump -Fc`` from an exported snapshot, so the row counts and ledger
checksums written into the manifest describe exactly what the dump holds; restored by
``pg_restore`` piped into one ``psql`` transaction that first empties the schema (a
failed restore changes nothing). SQLite: the online backup API, which copies one
consistent state while the site keeps running. Private to the ops app.
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.apps import apps
from django.conf import settings
from django.db import connections, router
from psycopg import sql


@dataclass(frozen=True)
class Snapshot:
    """What a database held: rows per table and a checksum of each ledger table."""

    tables: dict[str, int]
    checksums: dict[str, str]


def vendor(alias: str) -> str:
    return connections[alias].vendor


def ledger_tables(alias: str) -> list[str]:
    """The tables whose every row is checksummed (``BACKUP_CHECKSUM_MODELS``) on ``alias``."""
    tables = []
    for label in settings.BACKUP_CHECKSUM_MODELS:
        model = apps.get_model(label)
        if router.db_for_read(model) == alias:
            tables.append(model._meta.db_table)
    return tables


def _digest(rows: Iterable[tuple]) -> str:
    digest = hashlib.sha256()
    for (text,) in rows:
        digest.update(text.encode())
        digest.update(b"\n")
    return digest.hexdigest()


# --- PostgreSQL ----------------------------------------------------------------------


def _pg_params(alias: str, dbname: str | None = None) -> dict:
    conf = connections[alias].settings_dict
    params = {
        "dbname": dbname or conf["NAME"],
        "user": conf.get("USER") or None,
        "password": conf.get("PASSWORD") or None,
        "host": conf.get("HOST") or None,
        "port": str(conf.get("PORT") or "") or None,
    }
    return {key: value for key, value in params.items() if value}


def _pg_env(params: dict) -> dict:
    names = {"dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD"}
    names |= {"host": "PGHOST", "port": "PGPORT"}
    return {**os.environ, **{names[key]: value for key, value in params.items()}}


def _pg_tool(name: str) -> str:
    folder = settings.BACKUP_PG_BIN_DIR
    return str(Path(folder) / name) if folder else (shutil.which(name) or name)


def _pg_connect(params: dict, **kwargs) -> psycopg.Connection:
    return psycopg.connect(**params, options="-c TimeZone=UTC", connect_timeout=10, **kwargs)


def _pg_snapshot(conn: psycopg.Connection, ledgers: list[str]) -> Snapshot:
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        )
    ]
    counts = {
        name: conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name))
        ).fetchone()[0]
        for name in tables
    }
    checksums = {}
    for name in ledgers:
        if name in counts:
            query = sql.SQL("SELECT t::text FROM {} AS t ORDER BY 1").format(sql.Identifier(name))
            with conn.cursor(name=f"ledger_{name}") as cursor:  # streamed, not held in memory
                cursor.execute(query)
                checksums[name] = _digest(cursor)
    return Snapshot(tables=counts, checksums=checksums)


def _pg_dump(alias: str, file: Path) -> Snapshot:
    params = _pg_params(alias)
    with _pg_connect(params) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot_id = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        snapshot = _pg_snapshot(conn, ledger_tables(alias))
        subprocess.run(  # noqa: S603 (pg_dump, arguments we build)
            [_pg_tool("pg_dump"), "-Fc", "--no-owner", f"--snapshot={snapshot_id}", "-f", str(file)],
            env=_pg_env(params), check=True, capture_output=True, timeout=settings.BACKUP_TIMEOUT,
        )  # fmt: skip
        conn.rollback()
    return snapshot


def _pg_restore(alias: str, file: Path, *, dbname: str | None = None) -> None:
    """All or nothing: the schema is emptied and refilled in one transaction."""
    params = _pg_params(alias, dbname)
    env = _pg_env(params)
    restore = subprocess.Popen(  # noqa: S603 (pg_restore, arguments we build)
        [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "-f", "-", str(file)],
        stdout=subprocess.PIPE, env=env,
    )  # fmt: skip
    psql = subprocess.Popen(  # noqa: S603 (psql, arguments we build)
        [_pg_tool("psql"), "-X", "-q", "--single-transaction", "-v", "ON_ERROR_STOP=1"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    try:
        psql.stdin.write(b"DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n")
        shutil.copyfileobj(restore.stdout, psql.stdin, 1 << 20)
    except BrokenPipeError:
        pass  # psql stopped on an error: reported below
    finally:
        psql.stdin.close()
    restore.wait(timeout=settings.BACKUP_TIMEOUT)
    errors = psql.stderr.read()
    psql.wait(timeout=settings.BACKUP_TIMEOUT)
    if restore.returncode or psql.returncode:
        raise RuntimeError(f"restore into {params['dbname']} failed: {errors.decode()[-2000:]}")


def _pg_scratch_check(alias: str, file: Path) -> Snapshot:
    scratch = f"{connections[alias].settings_dict['NAME']}{settings.BACKUP_SCRATCH_SUFFIX}"
    admin = _pg_params(alias, settings.BACKUP_PG_MAINTENANCE_DB)
    name = sql.Identifier(scratch)
    with _pg_connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
    try:
        _pg_restore(alias, file, dbname=scratch)
        with _pg_connect(_pg_params(alias, scratch)) as conn:
            return _pg_snapshot(conn, ledger_tables(alias))
    finally:
        with _pg_connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


# --- SQLite --------------------------------------------------------------------------


def _sqlite_snapshot(cursor, ledgers: list[str]) -> Snapshot:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY 1"
    )
    tables = [name for (name,) in cursor.fetchall()]
    counts = {}
    for name in tables:
        cursor.execute(f'SELECT count(*) FROM "{name}"')  # noqa: S608 (names from the catalogue)
        counts[name] = cursor.fetchone()[0]
    checksums = {}
    for name in ledgers:
        if name in counts:
            cursor.execute(f'PRAGMA table_info("{name}")')
            columns = [row[1] for row in cursor.fetchall()]
            text = " || '|' || ".join(f'quote("{column}")' for column in columns)
            cursor.execute(f'SELECT {text} FROM "{name}" ORDER BY 1')  # noqa: S608
            checksums[name] = _digest(iter(cursor.fetchone, None))
    return Snapshot(tables=counts, checksums=checksums)


def _sqlite_dump(alias: str, file: Path) -> Snapshot:
    """The backup API copies a consistent state (it starts over if another connection
    writes meanwhile); the counts and checksums are read from that copy."""
    connection = connections[alias]
    connection.ensure_connection()
    target = sqlite3.connect(file)
    try:
        connection.connection.backup(target)
        return _sqlite_snapshot(target.cursor(), ledger_tables(alias))
    finally:
        target.close()


def _sqlite_restore(alias: str, file: Path) -> None:
    connection = connections[alias]
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _sqlite_scratch_check(alias: str, file: Path) -> Snapshot:
    with tempfile.TemporaryDirectory(prefix="ep-restorecheck-") as folder:
        scratch = Path(folder) / "scratch.sqlite3"
        shutil.copyfile(file, scratch)
        conn = sqlite3.connect(scratch)
        try:
            (verdict,) = conn.execute("PRAGMA integrity_check").fetchone()
            if verdict != "ok":
                raise RuntimeError(f"integrity check: {verdict}")
            return _sqlite_snapshot(conn.cursor(), ledger_tables(alias))
        finally:
            conn.close()


# --- By engine -----------------------------------------------------------------------

EXTENSIONS = {"postgresql": "dump", "sqlite": "sqlite3"}


def database_dump(*, alias: str, folder: Path) -> tuple[Path, Snapshot]:
    engine = vendor(alias)
    if engine not in EXTENSIONS:
        raise RuntimeError(f"no backup method for {engine} (database {alias})")
    file = folder / f"{alias}.{EXTENSIONS[engine]}"
    dump = _pg_dump if engine == "postgresql" else _sqlite_dump
    return file, dump(alias, file)


def database_restore(*, alias: str, file: Path) -> None:
    if vendor(alias) == "postgresql":
        connections[alias].close()  # our own session must not hold locks on the tables
        _pg_restore(alias, file)
    else:
        _sqlite_restore(alias, file)


def database_scratch_check(*, alias: str, file: Path) -> Snapshot:
    check = _pg_scratch_check if vendor(alias) == "postgresql" else _sqlite_scratch_check
    return check(alias, file)


def database_snapshot(*, alias: str) -> Snapshot:
    """What the live database holds now (to compare with a manifest after a restore)."""
    if vendor(alias) == "postgresql":
        with _pg_connect(_pg_params(alias)) as conn:
            return _pg_snapshot(conn, ledger_tables(alias))
    with connections[alias].cursor() as cursor:
        return _sqlite_snapshot(cursor, ledger_tables(alias))
