"""``manage.py import_orders FILE``: past orders from a CSV/XLSX file (see the README)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.core.errors import ApplicationError
from apps.sales import services


class Command(BaseCommand):
    help = (
        "Importa pedidos históricos (líneas, pagos, reembolsos y libro de ventas) de un "
        "CSV/XLSX: se comprueba todo el archivo y, con algún error, no se guarda nada."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--stock",
            choices=services.STOCK_MODES,
            default=services.STOCK_UNTOUCHED,
            help="untouched: solo historial, el stock no cambia (por defecto); movements: "
            "el libro de stock registra ventas, cancelaciones y devoluciones.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Comprobar sin guardar nada.")
        parser.add_argument("--batch-size", type=int, default=2000, help="pedidos por transacción")

    def handle(self, *args, file: Path, stock: str, dry_run: bool, batch_size: int, **options):
        if not file.is_file():
            raise CommandError(f"No existe el archivo {file}")
        try:
            with file.open("rb") as handle:
                report = services.order_history_import(
                    file=handle,
                    filename=file.name,
                    stock=stock,
                    dry_run=dry_run,
                    batch_size=max(1, batch_size),
                    progress=self.progress if options["verbosity"] >= 1 else None,
                )
        except ApplicationError as error:
            raise CommandError(error.message) from None
        for error in report.errors:
            self.stderr.write(f"ERROR {error}")
        summary = (
            f"pedidos={report.orders} líneas={report.lines} importados={report.imported} "
            f"ya_existían={report.skipped} errores={report.error_count}"
        )
        if not report.ok:
            raise CommandError(f"Histórico rechazado, no se ha guardado nada ({summary}).")
        verb = "Comprobado (sin guardar)" if dry_run else "Importado"
        self.stdout.write(self.style.SUCCESS(f"{verb}: {summary}"))

    def progress(self, done: int) -> None:
        self.stderr.write(f"\rpedidos: {done}", ending="")
        self.stderr.flush()
