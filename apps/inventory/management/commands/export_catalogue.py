from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.inventory import resources


class Command(BaseCommand):
    help = "Exporta el catálogo (productos, categorías o existencias) a CSV o XLSX."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Destino; el formato sale de la extensión.")
        parser.add_argument("--kind", choices=resources.KINDS, default="products")

    def handle(self, *args, file: Path, kind: str, **options):
        try:
            fmt = resources.file_format(file.name)
        except resources.CatalogueFileError as error:
            raise CommandError(error.message) from None
        data = resources.catalogue_export(kind=kind, fmt=fmt)
        file.write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"Exportado {kind} a {file} ({len(data)} bytes)."))
