"""``python manage.py generate_questions FILE``: print the key points and question drafts
the generator makes from a text file, as text or JSON. Touches no database.

The file is read as UTF-8 (with or without BOM), falling back to GB18030 (which covers
GBK and GB2312)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quizzes.generation import GenerationResult, generate

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def read_text(path: Path) -> str:
    """The file's text: UTF-8 (a BOM is dropped) or else GB18030."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as error:
        raise CommandError(f"{path} is neither UTF-8 nor GB18030 text.") from error


class Command(BaseCommand):
    help = (
        "Generate key points and question drafts from a UTF-8 or GB18030 text file and print "
        "them (text or JSON). Nothing is saved."
    )
    # Pure computation: no system checks, which might look at the database.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Text file (UTF-8, UTF-8 with BOM, GB18030).")
        parser.add_argument(
            "--language",
            choices=["zh-hans", "en"],
            default=None,
            help="Language of the text (detected when omitted).",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--seed", type=int, default=0, help="Seed; the same seed gives the same drafts."
        )
        parser.add_argument(
            "--max-drafts", type=int, default=None, help="Keep at most this many drafts (the best)."
        )

    def handle(self, *args, **options) -> None:
        text = read_text(options["file"])
        if options["max_drafts"] is not None and options["max_drafts"] < 0:
            raise CommandError("--max-drafts must be 0 or more.")
        result = generate(
            text,
            language=options["language"],
            seed=options["seed"],
            max_drafts=options["max_drafts"],
        )
        if options["format"] == "json":
            self.stdout.write(json.dumps(as_json(result), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(as_text(result))


def as_json(result: GenerationResult) -> dict:
    return {
        "language": result.language,
        "key_points": [asdict(point) for point in result.key_points],
        "drafts": [asdict(draft) for draft in result.drafts],
        "stats": result.stats,
    }


def as_text(result: GenerationResult) -> str:
    stats = result.stats
    kinds = ", ".join(f"{kind} {count}" for kind, count in stats.get("kinds", {}).items())
    lines = [
        f"Language: {result.language} · {len(result.key_points)} key points · "
        f"{len(result.drafts)} drafts ({kinds or 'none'})",
        "",
        "Key points",
    ]
    for point in result.key_points:
        lines.append(
            f"  [{point.ordinal}] ({point.score:.2f}) {point.start}–{point.end}  {point.text}"
        )
    lines += ["", "Drafts"]
    for number, draft in enumerate(result.drafts, start=1):
        builder = draft.tags[1] if len(draft.tags) > 1 else draft.kind
        lines.append(
            f"  #{number} {draft.kind} ({builder}) · key point {draft.key_point_ordinal} · "
            f"difficulty {draft.difficulty} · source {draft.source_start}–{draft.source_end}"
        )
        lines.append(f"     {draft.stem}")
        for letter, choice in zip(LETTERS, draft.choices, strict=False):
            mark = "✓" if choice.correct else " "
            lines.append(f"     {mark} {letter}. {choice.text}")
        for index, answers in enumerate(draft.blanks, start=1):
            lines.append(f"     blank {index}: {' / '.join(answers)}")
        lines.append(f"     {draft.explanation}")
    return "\n".join(lines) + "\n"
