"""Import and export of 10,000 questions per interchange format, against a bare baseline.

    .venv/bin/python bench/interchange.py [--questions 10000] [--rounds 3]
                                          [--formats gift,xml,aiken,txt,xlsx,csv]

For each format, a file of ``--questions`` questions is written once (mixed kinds: single,
multiple, true/false and one-blank questions, Chinese stems; Aiken holds single choice only,
so its file is all single choice). Then, in ``--rounds`` rounds, each into a fresh bank:

- **import**: the whole path of the import page — ``import_upload`` (size check, checksum,
  duplicate check, parse, store the pending batch) and ``import_confirm`` (parse again,
  check against the bank, bulk-insert questions, versions, choices and answers in one
  transaction);
- **export**: ``bank_export_items`` (three queries) and ``export_file`` in the format;
- **baselines**, in the same rounds: a bare ``bulk_create`` of the same rows from ready
  drafts (no file, no parsing, no checks), and reading the same rows back with
  ``values_list`` and ``json.dumps`` of them.

Prints the median seconds of each, the ratio to its baseline and the goal (issue 6: import
and export under 10 s each per format). The import inserts with multi-row statements
(``services.imports._insert``), which beat ``bulk_create``: an import ratio under 1 means
the whole import, reading included, took less than the ORM's bare insert of its rows.

The database is ``DATABASE_URL`` when set — on
PostgreSQL the bench creates its own database ``studyapp_bench_interchange`` on that
server (dropped and created again) — else a fresh SQLite file in a temporary directory.
The upload size limit is lifted for the run (the 10,000-question files are larger than the
default 10 MB); the file sizes are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

GOAL_SECONDS = 10.0
FORMATS = ("gift", "xml", "aiken", "txt", "xlsx", "csv")
FILENAMES = {
    "gift": "bench.gift",
    "xml": "bench.xml",
    "aiken": "bench.aiken",
    "txt": "bench.txt",
    "xlsx": "bench.xlsx",
    "csv": "bench.csv",
}
BENCH_DB = "studyapp_bench_interchange"


def _database(url: str | None, workdir: str) -> str:
    """The database URL to use, prepared: a fresh PostgreSQL database or SQLite file."""
    if url and url.startswith(("postgres://", "postgresql://")):
        server = url.rsplit("/", 1)[0]
        url = f"{server}/{BENCH_DB}"
        from bench.answer_save import prepare_database

        os.environ["DATABASE_URL"] = url
        prepare_database(url)  # drops and creates BENCH_DB, then migrates
        return url
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SQLITE_PATH"] = str(Path(workdir) / "bench.sqlite3")
    return f"sqlite:///{os.environ['DJANGO_SQLITE_PATH']}"


def make_drafts(count: int, *, single_only: bool):
    from quizzes.drafts import ChoiceDraft, QuestionDraft

    drafts = []
    for n in range(count):
        kind = "single" if single_only else ("single", "multiple", "true_false", "blank")[n % 4]
        if kind == "single":
            drafts.append(
                QuestionDraft(
                    "single",
                    f"第{n}题：党的第{n % 20 + 1}次全国代表大会提出的中心任务是什么？",
                    choices=tuple(
                        ChoiceDraft(f"选项{k}：全面建设社会主义现代化国家{n}", k == n % 4)
                        for k in range(4)
                    ),
                    explanation=f"见报告第{n % 13 + 1}部分。",
                )
            )
        elif kind == "multiple":
            drafts.append(
                QuestionDraft(
                    "multiple",
                    f"第{n}题：新发展理念包括哪些？",
                    choices=tuple(
                        ChoiceDraft(word + str(n), k != 4)
                        for k, word in enumerate(("创新", "协调", "绿色", "开放", "速度"))
                    ),
                )
            )
        elif kind == "true_false":
            drafts.append(
                QuestionDraft(
                    "true_false",
                    f"第{n}题：中国式现代化是人口规模巨大的现代化。",
                    choices=(ChoiceDraft("正确", n % 2 == 0), ChoiceDraft("错误", n % 2 == 1)),
                )
            )
        else:
            drafts.append(
                QuestionDraft(
                    "blank",
                    f"第{n}题：教育、科技、____是全面建设社会主义现代化国家的基础性支撑。",
                    blanks=((f"人才{n}", f"人才资源{n}"),),
                )
            )
    return drafts


def write_file(fmt: str, drafts) -> bytes:
    from quizzes.exports.questions import ExportItem, export_file

    exported = export_file(items=[ExportItem(d) for d in drafts], fmt=fmt, title="Bench")
    assert exported.left_out == 0, (fmt, exported.left_out)
    return exported.content


def bare_insert(bank, user, drafts) -> None:
    """The baseline: the same rows inserted from ready drafts, nothing read or checked."""
    from django.db import transaction

    from quizzes.models import BlankAnswer, Choice, Question, QuestionVersion

    with transaction.atomic():
        questions = Question.objects.bulk_create(
            [Question(bank=bank, origin="imported", created_by=user) for _ in drafts],
            batch_size=1000,
        )
        versions = QuestionVersion.objects.bulk_create(
            [
                QuestionVersion(question=q, number=1, kind=d.kind, stem=d.stem, created_by=user)
                for q, d in zip(questions, drafts, strict=True)
            ],
            batch_size=1000,
        )
        Choice.objects.bulk_create(
            (
                Choice(version=v, ordinal=i, text=c.text, is_correct=c.correct)
                for v, d in zip(versions, drafts, strict=True)
                for i, c in enumerate(d.choices, 1)
            ),
            batch_size=2000,
        )
        BlankAnswer.objects.bulk_create(
            (
                BlankAnswer(version=v, blank=b, text=a)
                for v, d in zip(versions, drafts, strict=True)
                for b, answers in enumerate(d.blanks, 1)
                for a in answers
            ),
            batch_size=2000,
        )


def bare_read(bank) -> int:
    """The baseline of an export: the same rows read and dumped as JSON."""
    from quizzes.models import BlankAnswer, Choice, QuestionVersion

    rows = {
        "versions": list(
            QuestionVersion.objects.filter(question__bank=bank).values_list(
                "pk", "kind", "stem", "explanation", "difficulty"
            )
        ),
        "choices": list(
            Choice.objects.filter(version__question__bank=bank).values_list(
                "version_id", "ordinal", "text", "is_correct", "feedback"
            )
        ),
        "blanks": list(
            BlankAnswer.objects.filter(version__question__bank=bank).values_list(
                "version_id", "blank", "text"
            )
        ),
    }
    return len(json.dumps(rows, ensure_ascii=False))


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--formats", default=",".join(FORMATS))
    args = parser.parse_args()
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = set(formats) - set(FORMATS)
    if unknown:
        parser.error(f"unknown formats: {', '.join(sorted(unknown))}")

    workdir = tempfile.mkdtemp(prefix="bench-interchange-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.pop("REDIS_URL", None)
    os.environ["STUDYAPP_UPLOAD_MAX_BYTES"] = str(1 << 30)
    database = _database(os.environ.get("DATABASE_URL"), workdir)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0)
    from quizzes.exports.questions import export_file
    from quizzes.models import QuestionBank, User
    from quizzes.selectors.exports import bank_export_items
    from quizzes.services.imports import import_confirm, import_upload

    print(f"database: {connection.vendor} ({database}); {args.questions} questions per file")
    user = User.objects.create_user("bench-interchange", password="x")
    results: dict[str, dict[str, list[float]]] = {}
    sizes: dict[str, int] = {}
    for fmt in formats:
        drafts = make_drafts(args.questions, single_only=fmt == "aiken")
        data = write_file(fmt, drafts)
        sizes[fmt] = len(data)
        times: dict[str, list[float]] = {k: [] for k in ("import", "export", "insert", "read")}
        for round_number in range(1, args.rounds + 1):
            bank = QuestionBank.objects.create(owner=user, title=f"{fmt} {round_number}")
            seconds, _ = timed(
                lambda bank=bank, data=data, fmt=fmt: import_confirm(
                    batch=import_upload(
                        bank=bank, uploaded_by=user, data=data, filename=FILENAMES[fmt]
                    ),
                    confirmed_by=user,
                    publish=False,
                )
            )
            times["import"].append(seconds)
            imported = bank.questions.count()
            assert imported == args.questions, (fmt, imported)
            seconds, exported = timed(
                lambda bank=bank, fmt=fmt: export_file(
                    items=bank_export_items(bank=bank), fmt=fmt, title=bank.title
                )
            )
            assert exported.exported == args.questions, (fmt, exported.exported)
            times["export"].append(seconds)
            baseline = QuestionBank.objects.create(owner=user, title=f"bare {fmt}")
            times["insert"].append(timed(bare_insert, baseline, user, drafts)[0])
            times["read"].append(timed(bare_read, baseline)[0])
            print(
                f"round {round_number} {fmt:5s} import {times['import'][-1]:6.2f} s "
                f"(bare insert {times['insert'][-1]:5.2f} s)  export {times['export'][-1]:6.2f} s "
                f"(bare read {times['read'][-1]:5.2f} s)",
                flush=True,
            )
            bank.delete()
            baseline.delete()
        results[fmt] = times

    print(f"\nmedians of {args.rounds} rounds, {args.questions} questions per file")
    print("format  file MB   import s  ×bare   export s  ×bare   goal < 10 s")
    missed = []
    for fmt, times in results.items():
        median = {key: statistics.median(values) for key, values in times.items()}
        ok = median["import"] < GOAL_SECONDS and median["export"] < GOAL_SECONDS
        if not ok:
            missed.append(fmt)
        print(
            f"{fmt:6s} {sizes[fmt] / 2**20:7.1f}  {median['import']:8.2f}  "
            f"{median['import'] / median['insert']:5.1f}  {median['export']:8.2f}  "
            f"{median['export'] / median['read']:5.1f}   {'met' if ok else 'MISSED'}"
        )
    print(
        "baselines: bare bulk_create of the same rows (import), values_list + json.dumps of "
        "the same rows (export)"
    )
    print("goal: " + ("met for every format" if not missed else f"MISSED for {', '.join(missed)}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
