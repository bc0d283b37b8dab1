"""``nautobot-server data_sync_new <name> --direction source|target [--into <folder>]``: a working sync job skeleton."""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from nautobot.extras.signals import refresh_job_models

from nautobot_data_sync.scaffold import DIRECTIONS, ScaffoldError, write_skeleton


class Command(BaseCommand):
    help = (
        "Write the skeleton of a Data Source or Data Target job (declarative models of locations, device types, "
        "devices, interfaces and IP addresses; a JSON file adapter with a sample; the job; a test) into "
        "JOBS_ROOT or another folder."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="Python module name of the new job, e.g. cmdb_devices")
        parser.add_argument("--direction", choices=DIRECTIONS, required=True, help="source: into Nautobot; target: out")
        parser.add_argument("--into", help="Folder to write <name>/ into (default: JOBS_ROOT), e.g. an app's jobs")

    def handle(self, *args, name, direction, into=None, **options):
        folder = into or settings.JOBS_ROOT
        try:
            path = write_skeleton(name, direction, folder)
        except ScaffoldError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}:"))
        for file in sorted(path.iterdir()):
            self.stdout.write(f"  {file.name}")
        if Path(folder).resolve() == Path(settings.JOBS_ROOT).resolve():
            refresh_job_models(sender=None, apps=apps)  # Nautobot lists it now (new jobs start disabled)
            self.stdout.write("Nautobot lists the job: enable it under Jobs, then run it with dry-run on.")
        else:
            self.stdout.write("Import the job from your app's jobs module and restart Nautobot to list it.")
