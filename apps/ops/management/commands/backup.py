from django.core.management.base import BaseCommand, CommandError

from apps.ops import services


class Command(BaseCommand):
    help = (
        "Backs up both databases and the uploaded media into BACKUP_DIR (or --folder), "
        "checks the backup by restoring it into scratch databases and prints its path last."
    )

    def add_arguments(self, parser):
        parser.add_argument("--folder", help="where to write (default: BACKUP_DIR)")
        parser.add_argument(
            "--no-verify", action="store_true", help="skip the restore into scratch databases"
        )

    def handle(self, *args, folder=None, no_verify=False, **options):
        result = services.backup_create(folder=folder, verify=not no_verify)
        for problem in result.problems:
            self.stderr.write(problem)
        if result.problems:
            raise CommandError(f"the backup {result.path} did not restore as saved")
        self.stdout.write(result.path)
