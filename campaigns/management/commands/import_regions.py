"""Import official administrative divisions from a CSV file (code,name,parent_code)."""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaigns.services import ImportRejected, region_import


class Command(BaseCommand):
    help = (
        "Import regions from a UTF-8 CSV with the header code,name,parent_code. "
        "Every bad row is reported and nothing is imported unless all rows are valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_path", type=Path)

    def handle(self, *args, csv_path: Path, **options):
        try:
            with csv_path.open(encoding="utf-8-sig", newline="") as handle:
                result = region_import(rows=list(csv.reader(handle)))
        except OSError as exc:
            raise CommandError(f"cannot read {csv_path}: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{csv_path} is not UTF-8 text: {exc}") from exc
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(rejected.errors)} bad row(s) in {csv_path}; nothing was imported."
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Regions: {result.created} created, {result.renamed} renamed, "
                f"{result.unchanged} unchanged."
            )
        )
