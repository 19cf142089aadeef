"""Backups: backup -> destroy -> restore gives back the same orders, ledger, warehouse
and media (on SQLite and on PostgreSQL); every backup is checked by a restore into a
scratch database, and a backup that does not come back as saved is reported."""

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from apps.ops import archive, services
from apps.ops.errors import BackupInvalid
from apps.ops.models import BackupRun
from apps.sales.models import LedgerEntry, Order
from tests.sales.factories import APPROVED, make_shopper, make_variant

BOTH = ["default", "warehouse"]


def _probe(sql: str, params=()):
    """A table of our own in the warehouse (the ETL's tables are backed up the same way)."""
    with connections["warehouse"].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


@pytest.fixture
def shop(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    _probe("CREATE TABLE backup_probe (id integer PRIMARY KEY, amount_cents bigint NOT NULL)")
    _probe("INSERT INTO backup_probe VALUES (1, 12345), (2, 99)")
    for price in ("20.00", "35.50"):
        shopper = make_shopper()
        shopper.add(make_variant(price=price, stock=5), 2)
        shopper.place(payment_method="card", card=APPROVED)
    media = Path(settings.MEDIA_ROOT) / "products" / "foto.jpg"
    media.parent.mkdir(parents=True)
    media.write_bytes(b"\xff\xd8 una foto")
    yield media
    _probe("DROP TABLE IF EXISTS backup_probe")


def _state():
    orders = sorted(Order.objects.values_list("number", "status", "total"))
    ledger = sorted(LedgerEntry.objects.values_list("order__number", "kind", "amount"))
    warehouse = _probe("SELECT id, amount_cents FROM backup_probe ORDER BY id")
    return orders, ledger, warehouse


def _destroy():
    vendor = connections["default"].vendor
    with connections["default"].cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("DROP TABLE sales_ledgerentry, sales_order CASCADE")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("DROP TABLE sales_ledgerentry")
            cursor.execute("DROP TABLE sales_order")
            cursor.execute("PRAGMA foreign_keys = ON")
    _probe("DELETE FROM backup_probe")


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=BOTH)
def test_backup_destroy_restore_gives_back_orders_ledger_warehouse_and_media(shop, settings):
    before = _state()
    assert len(before[0]) == 2 and len(before[1]) == 2 and before[2] == [(1, 12345), (2, 99)]

    out = io.StringIO()
    call_command("backup", stdout=out)
    path = Path(out.getvalue().strip().splitlines()[-1])  # the path is the last line
    assert path.parent == settings.BACKUP_DIR and path.is_dir()
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["databases"]["default"]["tables"]["sales_order"] == 2
    assert manifest["databases"]["warehouse"]["tables"]["backup_probe"] == 2
    assert set(manifest["databases"]["default"]["checksums"]) == {
        "sales_ledgerentry",
        "inventory_stockmovement",
    }
    assert manifest["media"]["files"] == 1
    run = BackupRun.objects.get()
    assert run.status == "verified" and run.path == str(path) and run.size_bytes > 0

    _destroy()
    shop.unlink()
    call_command("restore", str(path), "--noinput", stdout=io.StringIO())

    assert _state() == before
    assert shop.read_bytes() == b"\xff\xd8 una foto"
    # The shop works on the restored data: another order goes through.
    shopper = make_shopper()
    shopper.add(make_variant(price="10.00", stock=1), 1)
    assert shopper.place(payment_method="card", card=APPROVED).status


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=BOTH)
def test_a_backup_that_does_not_restore_as_saved_is_reported_and_recorded(shop, settings):
    path = Path(services.backup_create().path)
    manifest_file = path / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["databases"]["default"]["tables"]["sales_order"] = 3
    manifest["databases"]["default"]["checksums"]["sales_ledgerentry"] = "0" * 64
    manifest_file.write_text(json.dumps(manifest))

    problems = services.backup_verify(path=path)
    assert problems == [
        "default.sales_order: 3 rows saved, 2 found",
        "default.sales_ledgerentry: ledger checksum differs",
    ]

    (path / manifest["databases"]["warehouse"]["file"]).write_bytes(b"damaged")
    with pytest.raises(BackupInvalid):
        services.backup_verify(path=path)
    with pytest.raises(CommandError):
        call_command("restore", str(path), "--noinput", stdout=io.StringIO())
    assert _state()[0]  # nothing was touched


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=BOTH)
def test_restore_asks_first(shop, monkeypatch):
    path = services.backup_create(verify=False).path
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    _probe("DELETE FROM backup_probe")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", path, stdout=io.StringIO())
    assert _probe("SELECT count(*) FROM backup_probe") == [(0,)]


def test_retention_keeps_the_newest_of_each_recent_day_and_week():
    start = datetime(2026, 11, 1, 3, 30, tzinfo=UTC)  # a Sunday
    times = [start + timedelta(days=d, hours=h) for d in range(29) for h in (0, 6)]
    keep = archive.backups_to_keep(times, daily=7, weekly=4)
    newest_per_day = {t.date(): t for t in sorted(times)}
    assert set(sorted(newest_per_day.values())[-7:]) <= keep
    weeks = {}
    for t in sorted(times):
        weeks[t.isocalendar()[:2]] = t
    assert set(sorted(weeks.values())[-4:]) <= keep
    assert len(keep) == len(
        set(sorted(newest_per_day.values())[-7:]) | set(sorted(weeks.values())[-4:])
    )


def test_prune_deletes_what_retention_drops_and_stale_unfinished_backups(tmp_path):
    now = datetime(2026, 11, 29, 12, tzinfo=UTC)
    for days in range(10):
        folder = tmp_path / archive.backup_name(now - timedelta(days=days), tmp_path)
        folder.mkdir()
        (folder / "manifest.json").write_text("{}")
    stale = tmp_path / (archive.backup_name(now - timedelta(days=2), tmp_path) + ".partial")
    fresh = tmp_path / (archive.backup_name(now - timedelta(hours=1), tmp_path) + ".partial")
    stale.mkdir(), fresh.mkdir()
    (tmp_path / "someone-elses-folder").mkdir()

    removed = archive.backups_prune(folder=tmp_path, daily=3, weekly=2, now=now)

    left = sorted(p.name for p in tmp_path.iterdir())
    assert stale in removed and fresh.name in left and "someone-elses-folder" in left
    kept = [name for name in left if name.endswith("Z")]
    # 3 newest days, plus the newest of the week before (Sunday 22 November).
    assert kept == [
        "electropluz-20261122T120000Z",
        "electropluz-20261127T120000Z",
        "electropluz-20261128T120000Z",
        "electropluz-20261129T120000Z",
    ]


def test_names_never_collide(tmp_path):
    now = datetime(2026, 11, 29, 12, tzinfo=UTC)
    first = archive.backup_name(now, tmp_path)
    (tmp_path / first).mkdir()
    assert archive.backup_name(now, tmp_path) == f"{first}-2"


@pytest.mark.django_db
def test_the_daily_backup_is_scheduled():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="ops.backup_daily")
    assert task.enabled and task.crontab.hour == "3" and task.crontab.minute == "30"
