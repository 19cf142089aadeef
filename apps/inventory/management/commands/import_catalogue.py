from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.inventory import resources


class Command(BaseCommand):
    help = "Importa un CSV/XLSX del catálogo (productos, categorías o existencias), todo o nada."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", choices=resources.KINDS, default="products")
        parser.add_argument("--dry-run", action="store_true", help="Comprobar sin guardar nada.")

    def handle(self, *args, file: Path, kind: str, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"No existe el archivo {file}")
        report = resources.catalogue_import(
            kind=kind, content=file.read_bytes(), filename=file.name, dry_run=dry_run
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
        if not report.ok:
            raise CommandError(f"Importación rechazada, no se ha guardado nada ({summary}).")
        verb = "Comprobado (sin guardar)" if dry_run else "Importado"
        self.stdout.write(self.style.SUCCESS(f"{verb}: {summary}"))
