from django.core.management.base import BaseCommand, CommandError

from apps.core.errors import ApplicationError
from apps.ops import services


class Command(BaseCommand):
    help = (
        "Restores a backup written by `backup`: both databases and the media are replaced. "
        "Stop the web processes and workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup's folder (the path `backup` printed)")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")
        parser.add_argument("--skip-media", action="store_true", help="restore the databases only")

    def handle(self, *args, path, interactive=True, skip_media=False, **options):
        try:
            manifest = services.backup_manifest(path=path)
        except ApplicationError as exc:
            raise CommandError(f"{exc.message} {exc.details}") from exc
        databases = ", ".join(manifest["databases"])
        self.stdout.write(f"Backup {manifest['name']} of {manifest['created_at']} ({databases}).")
        if interactive:
            answer = input(
                "This REPLACES the current data with the backup's. Type 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        problems = services.backup_restore(path=path, media=not skip_media)
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError("the restored data differs from the backup's manifest")
        self.stdout.write(self.style.SUCCESS(f"Restored {manifest['name']}."))
