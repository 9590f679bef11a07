from django.core.management.base import BaseCommand, CommandError

from prachum.directory.services import DATA_FILE, OrganizationDataError, load_organizations, read_organizations_file


class Command(BaseCommand):
    help = (
        "Create or update the organizations (ASEAN member states, the ASEAN Secretariat, dialogue partners, "
        "national bodies) from the project's data file, or from --file. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DATA_FILE), help="a JSON file in the same format (default: %(default)s)")

    def handle(self, *args, file, **options):
        try:
            counts = load_organizations(data=read_organizations_file(file))
        except (OrganizationDataError, OSError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Organizations: {counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged."
        )
