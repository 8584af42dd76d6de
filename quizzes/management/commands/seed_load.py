"""``python manage.py seed_load --learners 10000 --quizzes 50``: build a load-test data set
(a four-level study-group tree, a generated question bank, quizzes assigned over a year,
finished attempts with their items and answers, learner results) with bulk inserts, and
print what was built and how long it took. See ``quizzes.loadgen.seed``.

It adds tens of thousands of users, so it refuses a database that already has users unless
``--force`` is given."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quizzes.loadgen.seed import SAMPLE_DOCUMENT, seed_load
from quizzes.models import User

DEFAULT_PASSWORD = "studyapp-load"


class Command(BaseCommand):
    help = (
        "Build a realistic load-test data set with bulk inserts: a Party committee → general "
        "branch → branch → study group tree with LEARNERS learners, a question bank generated "
        "from a study document, QUIZZES quizzes assigned over the past year and finished "
        "attempts with items and results. Meant for an empty database (--force otherwise)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--learners", type=int, default=10_000, help="default 10000")
        parser.add_argument("--quizzes", type=int, default=50, help="default 50")
        parser.add_argument(
            "--questions-per-quiz", type=int, default=20, help="questions in each quiz (20)"
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="the same seed builds the same data (default 1)"
        )
        parser.add_argument(
            "--prefix",
            default="load",
            help="start of every user name made: <prefix>-learner00001, <prefix>-org0001, "
            "<prefix>-admin (default load)",
        )
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"password of every user made (default {DEFAULT_PASSWORD})",
        )
        parser.add_argument(
            "--source",
            type=Path,
            default=SAMPLE_DOCUMENT,
            help="study document (.txt, .docx, .pdf, .md, .html) the bank is generated from; "
            "the demo editorial when the file is absent (default: the 19th Congress report "
            "in ../shared/samples/)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="add the data to a database that already has users",
        )

    def handle(self, *args, **options) -> None:
        for name in ("learners", "quizzes", "questions_per_quiz"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1.")
        if options["learners"] > 99_999:
            raise CommandError("--learners must be at most 99999.")
        if not options["password"]:
            raise CommandError("--password must not be empty.")
        prefix = options["prefix"].strip()
        if not prefix or len(prefix) > 100 or not prefix.replace("-", "").isalnum():
            raise CommandError("--prefix must be letters, digits and hyphens (at most 100).")
        users = User.objects.count()
        if users and not options["force"]:
            raise CommandError(
                f"This database already has {users} user{'s' if users != 1 else ''}. "
                "seed_load adds thousands of rows and is meant for an empty database (for "
                "example one made for a benchmark). Run it with --force to add them anyway."
            )
        if User.objects.filter(username__startswith=f"{prefix}-").exists():
            raise CommandError(
                f"Users named {prefix}-… already exist: choose another --prefix or use a "
                "fresh database."
            )
        source = options["source"]
        if not source.is_file():
            self.stdout.write(f"{source} not found: the bank is generated from the demo editorial.")
        self.stdout.write(
            f"Building {options['learners']} learners and {options['quizzes']} quizzes "
            f"(seed {options['seed']})…"
        )
        summary = seed_load(
            learners=options["learners"],
            quizzes=options["quizzes"],
            questions_per_quiz=options["questions_per_quiz"],
            seed=options["seed"],
            prefix=prefix,
            password=options["password"],
            source=source,
            say=self.stdout.write,
        )
        self.stdout.write("Rows written:")
        for table, count in summary.counts.items():
            self.stdout.write(f"  {count:>10,}  {table}")
        levels = " → ".join(str(n) for n in summary.groups_per_level)
        self.stdout.write(
            f"Groups per level (committee → general branches → branches → study groups): {levels}"
        )
        self.stdout.write(f"Bank generated from {summary.source}")
        self.stdout.write(f"Committee group id {summary.committee_id}")
        self.stdout.write(
            f"Assignment to the whole committee, finished by every learner: "
            f"id {summary.bench_assignment_id}"
        )
        self.stdout.write(
            f"Log in as {summary.staff_username} (staff) or {summary.organizer_username} "
            f"(committee secretary) with the password given (default {DEFAULT_PASSWORD})."
        )
        self.stdout.write(self.style.SUCCESS(f"Done in {summary.seconds:.1f} s."))
