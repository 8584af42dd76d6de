"""``python manage.py export_bank BANK_ID --format gift|xml|xlsx|csv|aiken|txt [-o FILE]``:
write a bank's questions (all but the archived ones, current versions) in an interchange
format, to a file or to standard output. How many questions the format left out, and why,
goes to standard error."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quizzes.exports.questions import EXPORT_FORMATS, export_file
from quizzes.models import QuestionBank
from quizzes.selectors.exports import bank_export_items


class Command(BaseCommand):
    help = (
        "Export a question bank (current versions, archived questions left out) as GIFT, "
        "Moodle XML, Excel, CSV, Aiken or Chinese plain text."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("bank_id", type=int, help="The bank's id (see /banks/<id>/).")
        parser.add_argument("--format", choices=list(EXPORT_FORMATS), default="gift")
        parser.add_argument(
            "-o", "--output", type=Path, help="File to write (required for xlsx); else stdout."
        )
        parser.add_argument(
            "--language",
            choices=["zh", "en"],
            default="zh",
            help="Column headers and kind names of a sheet (xlsx, csv).",
        )

    def handle(self, *args, **options) -> None:
        bank = QuestionBank.objects.filter(pk=options["bank_id"]).first()
        if bank is None:
            raise CommandError(f"There is no question bank with id {options['bank_id']}.")
        fmt, output = options["format"], options["output"]
        if fmt == "xlsx" and output is None:
            raise CommandError("An Excel workbook is binary: give a file with -o FILE.xlsx.")
        exported = export_file(
            items=bank_export_items(bank=bank),
            fmt=fmt,
            title=bank.title,
            language=options["language"],
        )
        if output is None:
            self.stdout.write(exported.content.decode("utf-8"), ending="")
        else:
            try:
                output.write_bytes(exported.content)
            except OSError as error:
                raise CommandError(f"Cannot write {output}: {error.strerror or error}") from error
        summary = f"{exported.exported} question(s) exported as {fmt}"
        if exported.left_out:
            summary += f"; {exported.left_out} left out: {EXPORT_FORMATS[fmt].holds}"
        self.stderr.write(summary + ".")
