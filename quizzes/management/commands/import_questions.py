"""``python manage.py import_questions BANK_ID FILE [--format F] [--publish] [--dry-run]``:
import a question file into a bank through the same services as the import page — the same
checks, the same per-question report (line or row, ok / warning / error, reason), the same
"once per file and bank" rule. Questions with errors are skipped; a refused file exits with
status 1 and saves nothing. ``--dry-run`` prints the report and saves nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quizzes.formats import IMPORT_FORMATS
from quizzes.models import QuestionBank, User
from quizzes.services.imports import (
    SHEET_FORMATS,
    ImportRefused,
    PreviewRow,
    import_confirm,
    import_read,
    import_upload,
)


class Command(BaseCommand):
    help = (
        "Import questions from a GIFT, Moodle XML, Aiken, Chinese plain-text, Excel or CSV "
        "file into a bank, printing a report per question."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("bank_id", type=int, help="The bank's id (see /banks/<id>/).")
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--format",
            choices=list(IMPORT_FORMATS),
            default=None,
            help="The file's format; detected from its name and content when omitted.",
        )
        parser.add_argument(
            "--publish", action="store_true", help="Publish the questions (default: drafts)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Read and report; save nothing.")
        parser.add_argument(
            "--user", default=None, help="Username recorded as importer (default: the owner)."
        )

    def handle(self, *args, **options) -> None:
        bank = QuestionBank.objects.select_related("owner").filter(pk=options["bank_id"]).first()
        if bank is None:
            raise CommandError(f"There is no question bank with id {options['bank_id']}.")
        user = bank.owner
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"There is no user {options['user']!r}.")
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
        arguments = {"data": data, "filename": path.name, "chosen_format": options["format"]}
        try:
            preview = import_read(bank=bank, **arguments)
            self._report(preview.rows, preview.format)
            if options["dry_run"]:
                self.stdout.write(
                    f"Dry run: {len(preview.importable)} question(s) would be imported, "
                    f"{preview.skipped} skipped; nothing was saved."
                )
                return
            batch = import_upload(bank=bank, uploaded_by=user, **arguments)
            outcome = import_confirm(batch=batch, confirmed_by=user, publish=options["publish"])
        except ImportRefused as refused:
            if refused.rows:
                self._report(refused.rows, refused.format)
            raise CommandError(str(refused)) from refused
        state = "published" if options["publish"] else "drafts"
        self.stdout.write(
            f"{outcome.imported} question(s) imported into “{bank.title}” as {state}; "
            f"{outcome.skipped} skipped (errors)."
        )

    def _report(self, rows: list[PreviewRow], fmt: str) -> None:
        where = "row" if fmt in SHEET_FORMATS else "line"
        for row in rows:
            title = (row.draft.stem if row.draft else row.title).split("\n", 1)[0][:60]
            self.stdout.write(f"{where} {row.line:>5}  {row.status:<7}  {title}")
            for issue in row.issues:
                detail = f" ({issue.detail})" if issue.detail else ""
                self.stdout.write(f"{'':13}{issue.severity}: {issue.message}{detail}")
