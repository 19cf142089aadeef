"""Files of a backup: the uploaded media as one tar, checksums, and which backups to keep.
Private to the ops app."""

import hashlib
import shutil
import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

NAME_PREFIX = "electropluz-"
STAMP = "%Y%m%dT%H%M%SZ"


def sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def media_pack(*, media_root: Path, file: Path) -> int:
    """Writes every uploaded file under ``media_root`` into ``file``; returns how many."""
    count = 0
    with tarfile.open(file, "w:gz") as tar:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file():
                    tar.add(path, arcname=str(path.relative_to(media_root)), recursive=False)
                    count += 1
    return count


def media_unpack(*, file: Path, media_root: Path) -> None:
    """Replaces ``media_root`` with the archive's files: unpacked beside it first, then
    swapped in, so a failure half-way leaves the old media in place."""
    media_root.parent.mkdir(parents=True, exist_ok=True)
    incoming = media_root.with_name(media_root.name + ".restoring")
    shutil.rmtree(incoming, ignore_errors=True)
    incoming.mkdir()
    with tarfile.open(file, "r:gz") as tar:
        tar.extractall(incoming, filter="data")  # no absolute paths, links out or devices
    previous = media_root.with_name(media_root.name + ".previous")
    shutil.rmtree(previous, ignore_errors=True)
    if media_root.exists():
        media_root.rename(previous)
    incoming.rename(media_root)
    shutil.rmtree(previous, ignore_errors=True)


def backup_name(now: datetime, folder: Path) -> str:
    name = NAME_PREFIX + now.astimezone(UTC).strftime(STAMP)
    candidate, n = name, 1
    while (folder / candidate).exists() or (folder / f"{candidate}.partial").exists():
        n += 1
        candidate = f"{name}-{n}"
    return candidate


def backup_time(name: str) -> datetime | None:
    stamp = name.removeprefix(NAME_PREFIX).removesuffix(".partial").split("-", 1)[0]
    try:
        return datetime.strptime(stamp, STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None


def backups_to_keep(times: list[datetime], *, daily: int, weekly: int) -> set[datetime]:
    """The newest backup of each of the ``daily`` latest days that have one, and the
    newest of each of the ``weekly`` latest ISO weeks; the newest backup always."""
    newest_first = sorted(times, reverse=True)
    keep: set[datetime] = set(newest_first[:1])
    for period, limit in ((lambda t: t.date(), daily), (lambda t: t.isocalendar()[:2], weekly)):
        seen = []
        for moment in newest_first:
            if period(moment) not in seen:
                seen.append(period(moment))
                if len(seen) > limit:
                    break
                keep.add(moment)
    return keep


def backups_prune(*, folder: Path, daily: int, weekly: int, now: datetime) -> list[Path]:
    """Deletes finished backups outside the retention, and unfinished ones a day old."""
    finished = {}
    removed = []
    for path in folder.glob(f"{NAME_PREFIX}*"):
        moment = backup_time(path.name)
        if moment is None or not path.is_dir():
            continue
        if path.name.endswith(".partial"):
            if now - moment > timedelta(days=1):
                shutil.rmtree(path)
                removed.append(path)
        elif (path / "manifest.json").exists():
            finished[path] = moment
    keep = backups_to_keep(list(finished.values()), daily=daily, weekly=weekly)
    for path, moment in finished.items():
        if moment not in keep:
            shutil.rmtree(path)
            removed.append(path)
    return removed
