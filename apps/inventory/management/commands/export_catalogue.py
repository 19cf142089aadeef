from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.inventory import exports, services


class Command(BaseCommand):
    help = "Exporta el catálogo (productos, categorías o existencias) a CSV o XLSX."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Destino; el formato sale de la extensión.")
        parser.add_argument("--kind", choices=services.KINDS, default="products")
        parser.add_argument(
            "--excel",
            action="store_true",
            help="CSV para Excel en español: punto y coma, coma decimal y BOM.",
        )

    def handle(self, *args, file: Path, kind: str, excel: bool = False, **options):
        try:
            fmt = services.file_format(file.name)
        except services.CatalogueFileError as error:
            raise CommandError(error.message) from None
        if excel and fmt == "csv":
            fmt = "csv-excel"
        data = exports.catalogue_export(kind=kind, fmt=fmt)
        file.write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"Exportado {kind} a {file} ({len(data)} bytes)."))
