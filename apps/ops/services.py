"""Backups of both databases and the uploaded media, each checked by restoring it into a
scratch database; and bringing one back."""

import json
import logging
import socket
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.mail import mail_admins
from django.utils import timezone

from . import archive, dumps
from .errors import BackupInvalid
from .models import BackupRun

logger = logging.getLogger(__name__)
MANIFEST = "manifest.json"
MEDIA_FILE = "media.tar.gz"


@dataclass(frozen=True)
class BackupResult:
    path: str
    run_id: int
    verified: bool
    problems: list[str]


def _differences(label: str, expected: dict, actual: dumps.Snapshot) -> list[str]:
    problems = []
    for table in sorted(set(expected["tables"]) | set(actual.tables)):
        want, got = expected["tables"].get(table), actual.tables.get(table)
        if want != got:
            problems.append(f"{label}.{table}: {want} rows saved, {got} found")
    for table, checksum in expected["checksums"].items():
        if actual.checksums.get(table) != checksum:
            problems.append(f"{label}.{table}: ledger checksum differs")
    return problems


def _write_backup(folder: Path) -> tuple[Path, dict]:
    name = archive.backup_name(timezone.now(), folder)
    partial = folder / f"{name}.partial"
    partial.mkdir(parents=True)
    manifest = {
        "format": 1,
        "name": name,
        "created_at": timezone.now().isoformat(),
        "host": socket.gethostname(),
        "databases": {},
    }
    for alias in settings.BACKUP_DATABASES:
        file, snapshot = dumps.database_dump(alias=alias, folder=partial)
        manifest["databases"][alias] = {
            "vendor": dumps.vendor(alias),
            "file": file.name,
            "sha256": archive.sha256(file),
            "bytes": file.stat().st_size,
            "tables": snapshot.tables,
            "checksums": snapshot.checksums,
        }
    media = partial / MEDIA_FILE
    count = archive.media_pack(media_root=Path(settings.MEDIA_ROOT), file=media)
    manifest["media"] = {"file": MEDIA_FILE, "sha256": archive.sha256(media), "files": count}
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    final = folder / name
    partial.rename(final)  # only a complete backup ever carries the final name
    return final, manifest


def backup_manifest(*, path: Path) -> dict:
    """The manifest of the backup at ``path``, after checking every file against it."""
    path = Path(path)
    if path.is_file() and path.name == MANIFEST:
        path = path.parent
    try:
        manifest = json.loads((path / MANIFEST).read_text())
        parts = [*manifest["databases"].values(), manifest["media"]]
    except (OSError, ValueError, KeyError) as exc:
        raise BackupInvalid(details={"path": str(path), "reason": str(exc)}) from exc
    for part in parts:
        file = path / part["file"]
        if not file.is_file() or archive.sha256(file) != part["sha256"]:
            raise BackupInvalid(details={"path": str(path), "file": part["file"]})
    return manifest


def backup_verify(*, path: Path) -> list[str]:
    """Restores each database of the backup into a scratch database and compares what
    comes back with the manifest (rows of every table, checksum of each ledger).
    Returns the differences: none means the backup is good."""
    path = Path(path)
    manifest = backup_manifest(path=path)
    problems = []
    for alias, saved in manifest["databases"].items():
        try:
            restored = dumps.database_scratch_check(alias=alias, file=path / saved["file"])
        except Exception as exc:  # a backup that cannot be restored is the finding
            problems.append(f"{alias}: restore failed: {exc}")
            continue
        problems += _differences(alias, saved, restored)
    return problems


def _alert(subject: str, body: str) -> None:
    logger.error("%s: %s", subject, body)
    mail_admins(subject, body, fail_silently=True)


def _record(started, **fields) -> BackupRun:
    return BackupRun.objects.create(started_at=started, finished_at=timezone.now(), **fields)


def backup_create(*, folder: Path | None = None, verify: bool = True) -> BackupResult:
    """Backs up every database and the media into a new timestamped folder, checks it by
    a restore into scratch databases, records the run and prunes old backups."""
    folder = Path(folder or settings.BACKUP_DIR)
    started = timezone.now()
    try:
        path, manifest = _write_backup(folder)
        problems = backup_verify(path=path) if verify else []
    except Exception as exc:
        _record(started, status=BackupRun.Status.FAILED, error=repr(exc)[:5000])
        _alert("Copia de seguridad fallida", repr(exc))
        raise
    size = sum(file.stat().st_size for file in path.iterdir())
    status = BackupRun.Status.FAILED if problems else BackupRun.Status.VERIFIED
    detail = {"verified": verify, "problems": problems, "databases": list(manifest["databases"])}
    run = _record(started, status=status, path=str(path), size_bytes=size, check_detail=detail)
    if problems:
        _alert("Copia de seguridad no comprobada", f"{path}\n" + "\n".join(problems))
    else:
        logger.info("backup %s written (%d bytes) and checked by a restore", path, size)
    removed = archive.backups_prune(
        folder=folder,
        daily=settings.BACKUP_KEEP_DAILY,
        weekly=settings.BACKUP_KEEP_WEEKLY,
        now=timezone.now(),
    )
    for old in removed:
        logger.info("backup %s removed (retention)", old)
    return BackupResult(path=str(path), run_id=run.pk, verified=not problems, problems=problems)


def backup_restore(*, path: Path, media: bool = True) -> list[str]:
    """Brings the databases (and the media) of a backup back, replacing what is there,
    and checks what was restored against the manifest. Returns the differences."""
    path = Path(path)
    manifest = backup_manifest(path=path)
    problems = []
    for alias, saved in manifest["databases"].items():
        if saved["vendor"] != dumps.vendor(alias):
            raise BackupInvalid(
                details={"database": alias, "saved": saved["vendor"], "here": dumps.vendor(alias)}
            )
    for alias, saved in manifest["databases"].items():
        dumps.database_restore(alias=alias, file=path / saved["file"])
        problems += _differences(alias, saved, dumps.database_snapshot(alias=alias))
    if media:
        archive.media_unpack(file=path / MEDIA_FILE, media_root=Path(settings.MEDIA_ROOT))
    logger.warning("backup %s restored%s", path, f" with {problems}" if problems else "")
    return problems
