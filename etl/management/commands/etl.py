"""``manage.py etl run|status|backfill|replay``: the pipeline by hand."""

from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from etl import selectors, services
from etl.pipeline.clean import day_start


def moment(value: str) -> datetime:
    """``2025-03-31`` (the start of that shop-local day) or an ISO date-time (shop time if
    it has no offset)."""
    try:
        if len(value) == 10:
            return day_start(date.fromisoformat(value))
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Fecha no válida: {value!r} (AAAA-MM-DD o ISO 8601).") from None
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


class Command(BaseCommand):
    help = "ETL al almacén de datos: run, status, backfill, replay."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        run = commands.add_parser("run", help="carga lo nuevo desde la marca de agua")
        run.add_argument("source", nargs="?", default="", help="sales, inventory o users")
        run.add_argument("--since", type=moment)
        run.add_argument("--until", type=moment)
        run.add_argument("--full", action="store_true", help="desde el principio")
        commands.add_parser("status", help="marcas de agua, ejecuciones y cuarentena")
        backfill = commands.add_parser("backfill", help="vuelve a cargar días pasados")
        backfill.add_argument("--since", type=moment, required=True)
        backfill.add_argument("--until", type=moment)
        backfill.add_argument("--source", default="")
        replay = commands.add_parser("replay", help="reintenta lo que está en cuarentena")
        replay.add_argument("source", nargs="?", default="")
        replay.add_argument("--reason", default="", help="solo este motivo")

    def handle(self, *args, command, **options):
        if command == "status":
            return self.status()
        progress = self.progress if options["verbosity"] >= 1 else None
        try:
            if command == "run":
                summaries = services.etl_run(
                    source=options["source"],
                    since=options["since"],
                    until=options["until"],
                    full=options["full"],
                    progress=progress,
                )
            elif command == "backfill":
                summaries = services.etl_backfill(
                    since=options["since"],
                    until=options["until"],
                    source=options["source"],
                    progress=progress,
                )
            else:
                summaries = services.etl_replay(
                    source=options["source"], reason=options["reason"], progress=progress
                )
        except services.EtlError as error:
            raise CommandError(error.message) from None
        self.report(summaries)

    def progress(self, source: str, read: int) -> None:
        self.stderr.write(f"\r{source}: {read} leídos", ending="")
        self.stderr.flush()

    def report(self, summaries) -> None:
        self.stderr.write("")
        failed = False
        for s in summaries:
            self.stdout.write(
                f"{s.source:<10} #{s.run_id:<5} {s.kind:<11} {s.status:<9} leídos {s.read}, "
                f"cargados {s.loaded}, cuarentena {s.quarantined}, duplicados {s.deduplicated}, "
                f"{s.duration_ms or 0} ms {s.error}"
            )
            failed = failed or s.status == "failed"
        if failed:
            raise CommandError("Alguna ejecución ha fallado.")

    def status(self) -> None:
        for s in selectors.source_status():
            self.stdout.write(
                f"{s.source:<10} marca {s.watermark or '—'}  última #{s.last_run_id or '—'} "
                f"{s.last_status or '—'} {s.last_finished_at or ''}  cuarentena {s.open_quarantine}"
            )
        for (source, reason), count in selectors.quarantine_by_reason().items():
            self.stdout.write(f"  cuarentena {source} {reason}: {count}")
        for r in selectors.run_list(limit=10):
            self.stdout.write(
                f"  #{r.id} {r.source} {r.kind} {r.status} {r.rows_read}/{r.rows_loaded}/"
                f"{r.rows_quarantined} {r.duration_ms or 0} ms {r.error[:80]}"
            )
