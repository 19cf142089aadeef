from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from apps.core.errors import ApplicationError
from apps.inventory import services


class Command(BaseCommand):
    help = "Importa un CSV/XLSX del catálogo (productos, categorías o existencias), todo o nada."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", choices=services.KINDS, default="products")
        parser.add_argument("--dry-run", action="store_true", help="Comprobar sin guardar nada.")
        parser.add_argument(
            "--keep-good-rows",
            action="store_true",
            help="Importar las filas válidas aunque otras tengan errores (sin ella: todo o nada).",
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="Encolar como importación en segundo plano (Celery) e imprimir su número; "
            "el informe queda en /dashboard/catalogo/importar/<n.º>/.",
        )

    def handle(
        self,
        *args,
        file: Path,
        kind: str,
        dry_run: bool,
        background: bool,
        keep_good_rows: bool = False,
        **options,
    ):
        if not file.is_file():
            raise CommandError(f"No existe el archivo {file}")
        if background:
            self._queue(file, kind=kind, dry_run=dry_run, all_or_nothing=not keep_good_rows)
            return
        report = services.catalogue_import(
            kind=kind,
            content=file.read_bytes(),
            filename=file.name,
            dry_run=dry_run,
            all_or_nothing=not keep_good_rows,
        )
        for error in report.errors:
            self.stderr.write(f"ERROR: {error}")
        for row in report.rows:
            line = f"fila {row.number} {row.key}: {row.action}"
            if row.messages:
                line += " — " + "; ".join(row.messages)
            (self.stderr if row.action == "error" else self.stdout).write(line)
        totals = report.totals
        summary = (
            f"nuevos={totals['new']} actualizados={totals['update']} "
            f"sin_cambios={totals['skip']} errores={totals['error']}"
        )
        if not report.ok and not (keep_good_rows and not report.errors):
            raise CommandError(f"Importación rechazada, no se ha guardado nada ({summary}).")
        verb = "Comprobado (sin guardar)" if dry_run else "Importado"
        self.stdout.write(self.style.SUCCESS(f"{verb}: {summary}"))

    def _queue(self, path: Path, *, kind: str, dry_run: bool, all_or_nothing: bool) -> None:
        try:
            with path.open("rb") as handle:
                job_id = services.import_job_create(
                    kind=kind,
                    file=File(handle, name=path.name),
                    filename=path.name,
                    dry_run=dry_run,
                    background=True,
                    all_or_nothing=all_or_nothing,
                )
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(str(job_id))
        self.stderr.write(
            f"Importación {job_id} en cola"
            + (" (solo comprobar)." if dry_run else ".")
            + f" Siga su estado en /dashboard/catalogo/importar/{job_id}/"
        )
