"""Report pages and the Excel export for a 10,000-learner assignment, on PostgreSQL.

    .venv/bin/python bench/reports.py [--learners 10000] [--quizzes 50] [--requests 9]
                                       [--reuse]

Builds a fresh database (``studyapp_bench_reports`` on the local PostgreSQL by default),
fills it with ``manage.py seed_load`` (timed), and takes the assignment made to the whole
committee that every learner has finished. Then, signed in as the committee's secretary (an
organizer, so the access checks of a real request run), it times through Django's test
``Client`` — in this process, the whole middleware stack and template rendering, no
network or WSGI server — the median of ``--requests`` warm requests (after two warm-up
requests) of:

- the assignment report (first page of the member table, by name; and sorted by score),
- the key-point mastery page,
- the item analysis page,

and, as baselines measured in the same run, ``/healthz`` through the same client and one
bare SQL pass over the assignment's attempt items (``count(*), sum(score)``: the least a
per-item report must read). Each page is also requested once with its queries captured,
to print the query count and the slowest query.

Mastery and item analysis keep their figures in Django's cache (local memory here) until
the assignment's finished attempts change, so a warm request reads them from there. For
these two the bench also times the request that computes them: the very first one of the
run (``first``), and the median of ``--requests`` more with the cache emptied before each
(``recomputed``, as after every finished attempt) — with its own query profile.

The Excel export of the member table is produced in a fresh child process (so nothing
else has raised its memory first): once plain, for the time and the growth of the peak
resident set (``ru_maxrss`` after minus before), once under ``tracemalloc`` for the peak of
Python allocations; the file is then opened with openpyxl to count its rows.

Goals (issue 5): each page under 500 ms warm; the export's peak memory under 200 MB.
``--reuse`` skips building the database (for repeated runs on one already seeded).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.answer_save import prepare_database  # noqa: E402

GOAL_PAGE_MS = 500
GOAL_EXPORT_MB = 200
PAGES = {
    # label: (URL name, query string)
    "assignment report": ("quizzes:assignment_report", ""),
    "assignment report, by score": ("quizzes:assignment_report", "?sort=-score"),
    "key-point mastery": ("quizzes:assignment_mastery", ""),
    "item analysis": ("quizzes:assignment_items", ""),
}
# Pages whose figures are cached: also timed with the cache emptied before each request.
CACHED_PAGES = ("key-point mastery", "item analysis")
EXPORT_URL_NAME = "quizzes:assignment_report_export"


def _environment(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)


def _setup(database_url: str) -> None:
    _environment(database_url)
    import django

    django.setup()


def _url(name: str, **kwargs) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        raise SystemExit(
            f"The URL name {name} is missing (or takes other arguments): the report views "
            "are not there yet, so there is nothing to time."
        ) from None


def _bench_assignment():
    """The committee assignment every learner has finished, and the committee's first
    organizer."""
    from django.db.models import Count, Exists, OuterRef, Subquery

    from quizzes.models import Assignment, AssignmentResult, Attempt, Membership

    finished = (
        AssignmentResult.objects.filter(assignment=OuterRef("pk"), attempts_finished__gte=1)
        .order_by()
        .values("assignment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    still_open = Attempt.objects.filter(assignment=OuterRef("pk"), state=Attempt.State.IN_PROGRESS)
    assignment = (
        Assignment.objects.filter(group__parent__isnull=True)
        .exclude(Exists(still_open))
        .annotate(finished=Subquery(finished))
        .filter(finished__gt=0)
        .select_related("quiz", "group")
        .order_by("-finished", "-due_at")
        .first()
    )
    if assignment is None:
        raise SystemExit("No committee assignment with finished attempts: was seed_load run?")
    organizer = (
        Membership.objects.filter(group=assignment.group, role=Membership.Role.ORGANIZER)
        .select_related("user")
        .order_by("user__username")
        .first()
        .user
    )
    return assignment, organizer


def _timed(request, rounds: int, *, before=None) -> dict:
    """Two warm-up calls (the first one timed, as ``first``), then ``rounds`` timed ones;
    each call after ``before()`` if given. Median, min and max in ms."""

    def call() -> float:
        if before is not None:
            before()
        started = time.perf_counter()
        request()
        return (time.perf_counter() - started) * 1000

    first = call()
    call()
    times = [call() for _ in range(rounds)]
    return {
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "first": first,
    }


def _ms(timing: dict) -> str:
    return " ".join(f"{timing[key]:7.1f}ms" for key in ("median", "min", "max"))


def _get(client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    if response.streaming:
        for _chunk in response.streaming_content:
            pass
    else:
        response.content  # noqa: B018  (rendered already; read it like a client would)


def _query_profile(client, url: str, *, before=None) -> tuple[int, float, str]:
    """(number of queries, ms of the slowest, its SQL) of one request, after ``before()``
    if given."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if before is not None:
        before()
    with CaptureQueriesContext(connection) as queries:
        _get(client, url)
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
    return len(queries), float(slowest["time"]) * 1000, slowest["sql"]


def _export_child(args) -> None:
    """In a fresh process: produce the export once and print what it cost, as JSON."""
    _setup(args.database_url)
    import tracemalloc

    from django.test import Client

    assignment, organizer = _bench_assignment()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(organizer)
    url = _url(EXPORT_URL_NAME, pk=assignment.pk, table="members", fmt=args.fmt)
    if args.trace:
        tracemalloc.start()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get(url)
    size = 0
    with tempfile.NamedTemporaryFile(suffix=f".{args.fmt}", delete=False) as out:
        for chunk in response.streaming_content:
            out.write(chunk)
            size += len(chunk)
    seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak = tracemalloc.get_traced_memory()[1] if args.trace else None
    rows = None
    if args.fmt == "xlsx" and not args.trace:
        from openpyxl import load_workbook

        workbook = load_workbook(out.name, read_only=True)
        rows = sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True))
        workbook.close()
    os.unlink(out.name)
    print(
        json.dumps(
            {
                "status": response.status_code,
                "seconds": seconds,
                "bytes": size,
                "rss_before_mb": rss_before / 1024,
                "rss_growth_mb": (rss_after - rss_before) / 1024,
                "tracemalloc_peak_mb": None if peak is None else peak / 2**20,
                "rows": rows,
            }
        )
    )


def _export(args, fmt: str, *, trace: bool) -> dict:
    command = [sys.executable, __file__, "--export-child", "--fmt", fmt]
    command += ["--database-url", args.database_url]
    if trace:
        command.append("--trace")
    done = subprocess.run(command, cwd=BASE_DIR, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"The export child failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _seed(args) -> float:
    prepare_database(args.database_url)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "seed_load",
            "--learners",
            str(args.learners),
            "--quizzes",
            str(args.quizzes),
            "--seed",
            str(args.seed),
        ],
        cwd=BASE_DIR,
        check=True,
        env=os.environ,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--quizzes", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=9, help="timed requests per page")
    parser.add_argument("--reuse", action="store_true", help="use the database as it is")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/studyapp_bench_reports"
        ),
    )
    parser.add_argument("--export-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fmt", default="xlsx", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # progress shows as it comes, even in a pipe
    if args.export_child:
        _export_child(args)
        return

    _environment(args.database_url)
    print(f"database {args.database_url}")
    seed_seconds = None
    if not args.reuse:
        print(f"seed_load --learners {args.learners} --quizzes {args.quizzes}:")
        seed_seconds = _seed(args)
    _setup(args.database_url)
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    assignment, organizer = _bench_assignment()
    learners = assignment.finished
    print(
        f"\nassignment {assignment.pk} ({assignment}): {learners} learners finished, "
        f"signed in as {organizer.username}; Django test Client in this process, "
        f"median of {args.requests} warm requests"
    )
    urls = {label: _url(name, pk=assignment.pk) + query for label, (name, query) in PAGES.items()}
    _url(EXPORT_URL_NAME, pk=assignment.pk, table="members", fmt="xlsx")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(organizer)

    def one_pass() -> None:
        # The least any per-item report must do: read each item of the assignment once.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), sum(i.score) FROM quizzes_attemptitem i "
                "JOIN quizzes_attempt a ON a.id = i.attempt_id WHERE a.assignment_id = %s",
                [assignment.pk],
            )
            cursor.fetchone()

    baseline_page = _timed(lambda: _get(client, "/healthz"), args.requests)
    baseline_sql = _timed(one_pass, args.requests)
    results = {
        label: _timed(lambda u=url: _get(client, u), args.requests) for label, url in urls.items()
    }
    profiles = {label: _query_profile(client, url) for label, url in urls.items()}
    for label in CACHED_PAGES:
        url = urls[label]
        results[f"{label}, recomputed"] = _timed(
            lambda u=url: _get(client, u), args.requests, before=cache.clear
        )
        profiles[f"{label}, recomputed"] = _query_profile(client, url, before=cache.clear)

    print(f"\n{'':34s} {'median':>9s} {'min':>9s} {'max':>9s}", end="")
    print(f"  {'× healthz':>9s} {'× one pass':>10s}  queries  slowest query  {'first':>9s}")
    for label, timing in (
        ("baseline: /healthz", baseline_page),
        ("baseline: one pass, SQL", baseline_sql),
    ):
        print(f"{label:34s} {_ms(timing)}")
    for label, timing in results.items():
        queries, slowest_ms, _sql = profiles[label]
        print(
            f"{label:34s} {_ms(timing)}  "
            f"{timing['median'] / baseline_page['median']:8.1f}× "
            f"{timing['median'] / baseline_sql['median']:9.1f}×  {queries:7d}  {slowest_ms:6.1f} ms"
            f"      {timing['first']:7.1f}ms"
        )

    plain = _export(args, "xlsx", trace=False)
    traced = _export(args, "xlsx", trace=True)
    csv = _export(args, "csv", trace=False)
    print(
        f"\nExcel export of the member table ({plain['rows']} rows with the header, "
        f"{plain['bytes'] / 2**20:.1f} MB): {plain['seconds']:.2f} s; "
        f"peak RSS grew {plain['rss_growth_mb']:.1f} MB over {plain['rss_before_mb']:.0f} MB "
        f"at start; tracemalloc peak {traced['tracemalloc_peak_mb']:.1f} MB"
    )
    print(
        f"CSV export of the member table ({csv['bytes'] / 2**20:.1f} MB): {csv['seconds']:.2f} s; "
        f"peak RSS grew {csv['rss_growth_mb']:.1f} MB"
    )

    print("\nslowest query of each page:")
    for label, (_queries, slowest_ms, sql) in profiles.items():
        print(f"  {label} ({slowest_ms:.1f} ms): {sql[:300]}{'…' if len(sql) > 300 else ''}")

    print("\ngoals")
    if seed_seconds is not None:
        print(f"  seed_load: {seed_seconds:.0f} s")
    ok = True
    for label in urls:
        timing = results[label]
        met = timing["median"] < GOAL_PAGE_MS
        ok &= met
        verdict = "ok" if met else "MISSED"
        print(f"  {label}: {timing['median']:.0f} ms warm (goal < {GOAL_PAGE_MS} ms) {verdict}")
    for label in CACHED_PAGES:
        print(
            f"  {label}, computing its figures (no goal): first request of the run "
            f"{results[label]['first']:.0f} ms, recomputed "
            f"{results[f'{label}, recomputed']['median']:.0f} ms"
        )
    export_mb = max(plain["rss_growth_mb"], traced["tracemalloc_peak_mb"])
    met = export_mb < GOAL_EXPORT_MB and plain["rows"] == learners + 1
    ok &= met
    print(
        f"  Excel export peak memory: {export_mb:.1f} MB (goal < {GOAL_EXPORT_MB} MB), "
        f"{plain['rows']} rows for {learners} learners {'ok' if met else 'MISSED'}"
    )
    print("  verdict:", "goals met" if ok else "goals NOT met")


if __name__ == "__main__":
    main()
