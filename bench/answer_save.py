"""Answer-save throughput and latency under gunicorn on PostgreSQL, against a baseline.

    .venv/bin/python bench/answer_save.py [--requests 3000] [--clients 16] [--rounds 3]

Builds a fresh database (``studyapp_bench`` on the local PostgreSQL by default), 16
learners each with an open attempt of a 10-question quiz, serves the app with gunicorn
(4 sync workers, one database connection each) with the cache — and so the sessions — in
Redis as in production (``--redis-url``; local memory if Redis does not answer), and
drives, with ``--clients`` concurrent logged-in clients, each its own process:

- **answer save**: ``POST /api/attempts/<id>/answers/`` — session auth, CSRF, parsing,
  the service with its checks, under the attempt's row lock;
- **baseline**: a bench-only endpoint doing only the same row write under the same lock.

Both run in alternating rounds in the same run with the same clients (the machine is
shared and noisy), and the script prints requests/s and p50/p95/p99 latency per endpoint
(median over rounds) and the ratio. Goal (issue 3): answer-save throughput at least half
the baseline's, p95 < 100 ms.

It also prints the CPU time per request of gunicorn, of the PostgreSQL backends, of the
Redis server (shared with whatever else uses it) and of the clients (from /proc). Unlike
requests/s, these hardly move when other work shares the machine, so they show where the
time goes and what the ratio is when the server alone fills the cores.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import secrets
import statistics
import string
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
QUESTIONS = 10


def prepare_database(url: str) -> None:
    import psycopg

    admin_url, name = url.rsplit("/", 1)
    with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=BASE_DIR,
        check=True,
        env=os.environ,
    )


def build_fixture(clients: int) -> list[dict]:
    """Learners with open attempts; returns per-client cookies and attempt ids."""
    import django

    django.setup()
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from quizzes.drafts import ChoiceDraft, QuestionDraft
    from quizzes.models import Question, User
    from quizzes.services.attempts import attempt_start
    from quizzes.services.banks import bank_create, question_create
    from quizzes.services.groups import group_create, membership_add
    from quizzes.services.quizzes import assignment_create, quiz_add_question, quiz_create

    organizer = User.objects.create_user("bench-organizer", password="x")
    bank = bank_create(owner=organizer, title="Bench bank")
    quiz = quiz_create(owner=organizer, title="Bench quiz", time_limit=timedelta(hours=2))
    for n in range(QUESTIONS):
        question = question_create(
            bank=bank,
            draft=QuestionDraft(
                kind="single",
                stem=f"Bench question {n}?",
                choices=tuple(ChoiceDraft(f"option {k}", correct=k == 0) for k in range(4)),
            ),
            created_by=organizer,
            status=Question.Status.PUBLISHED,
        )
        quiz_add_question(quiz=quiz, question=question)
    group = group_create(name="Bench group", created_by=organizer)
    now = timezone.now()
    assignment = assignment_create(
        quiz=quiz,
        group=group,
        opens_at=now - timedelta(hours=1),
        due_at=now + timedelta(days=1),
        created_by=organizer,
    )
    fixture = []
    for n in range(clients):
        learner = User.objects.create_user(f"bench-learner-{n}", password="x")
        membership_add(group=group, user=learner)
        attempt = attempt_start(assignment=assignment, user=learner)
        session = SessionStore()
        session[SESSION_KEY] = str(learner.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = learner.get_session_auth_hash()
        session.create()
        csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        fixture.append(
            {
                "attempt": attempt.pk,
                "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
                f"{settings.CSRF_COOKIE_NAME}={csrf}",
                "csrf": csrf,
            }
        )
    return fixture


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "bench.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=os.environ,
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not answer on /healthz")


def _client(port: int, me: dict, endpoint: str, count: int, first: int, results) -> None:
    """One learner (in its own process, so that the clients do not share one GIL): send
    ``count`` requests one after the other, each on a new connection (gunicorn's sync
    workers close every connection); report start, end and latencies."""
    latencies = []
    errors = []
    started = time.perf_counter()
    for i in range(count):
        position = i % QUESTIONS + 1
        # One counter per learner, shared by both endpoints: each save is newer than the
        # last one to any of the learner's items, whichever endpoint wrote it.
        sequence = first + i
        if endpoint == "baseline":
            path = f"/bench/baseline/{me['attempt']}/{position}/{sequence}/"
            body, headers = b"", {}
        else:
            path = f"/api/attempts/{me['attempt']}/answers/"
            body = json.dumps(
                {"position": position, "sequence": sequence, "choices": [i % 4 + 1]}
            ).encode()
            headers = {
                "Content-Type": "application/json",
                "Cookie": me["cookie"],
                "X-CSRFToken": me["csrf"],
                "Referer": f"http://127.0.0.1:{port}/",
            }
        sent = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        latencies.append(time.perf_counter() - sent)
        conn.close()
        if response.status != 200:
            errors.append(f"{response.status} {payload[:200]!r}")
    results.put((started, time.perf_counter(), latencies, errors))


def _ticks(pid: int) -> int:
    """CPU time (user + system, in clock ticks) a process has used so far."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:  # the process is gone
        return 0
    return int(fields[11]) + int(fields[12])


def _server_pids(server: subprocess.Popen, database: str) -> dict[str, list[int]]:
    """gunicorn's workers, the PostgreSQL backends serving the bench database and the
    Redis server (which other programs may share)."""
    try:
        with open(f"/proc/{server.pid}/task/{server.pid}/children") as children:
            workers = [int(pid) for pid in children.read().split()]
    except OSError:
        workers = []
    backends, redis = [], []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    title = cmdline.read().decode(errors="replace")
            except OSError:
                continue
            if title.startswith("postgres: ") and f" {database} " in title:
                backends.append(int(entry))
            elif title.startswith("redis-server"):
                redis.append(int(entry))
    return {"gunicorn": [server.pid, *workers], "postgres": backends, "redis": redis}


def drive(port: int, fixture: list[dict], total: int, endpoint: str, state: dict, server) -> dict:
    """Send ``total`` requests spread over the clients; return throughput, latencies and
    the CPU time per request spent by gunicorn, PostgreSQL and the clients."""
    per_client = total // len(fixture)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    database = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    before = _server_pids(server, database)
    ticks_before = {pid: _ticks(pid) for pids in before.values() for pid in pids}
    children_before = os.times()
    clients = [
        context.Process(
            target=_client,
            args=(port, me, endpoint, per_client, state.get(n, 0) + 1, results),
        )
        for n, me in enumerate(fixture)
    ]
    for client in clients:
        client.start()
    reports = [results.get() for _ in clients]
    for client in clients:
        client.join()
    for n in range(len(fixture)):
        state[n] = state.get(n, 0) + per_client
    children_after = os.times()
    after = _server_pids(server, database)
    tick = os.sysconf("SC_CLK_TCK")
    cpu = {}
    for role in ("gunicorn", "postgres", "redis"):
        pids = set(before[role]) | set(after[role])
        # A backend that closed during the round (CONN_MAX_AGE) takes its ticks with it.
        used = sum(max(0, _ticks(pid) - ticks_before.get(pid, 0)) for pid in pids)
        cpu[role] = used / tick
    cpu["clients"] = (children_after.children_user + children_after.children_system) - (
        children_before.children_user + children_before.children_system
    )
    elapsed = max(r[1] for r in reports) - min(r[0] for r in reports)
    latencies = sorted(latency for r in reports for latency in r[2])
    errors = [error for r in reports for error in r[3]]

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    count = len(latencies)
    return {
        "rps": count / elapsed,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "errors": errors,
        "count": count,
        # CPU milliseconds per request: robust to other load on the machine, unlike req/s.
        "cpu_server": (cpu["gunicorn"] + cpu["postgres"]) / count * 1000,
        "cpu_gunicorn": cpu["gunicorn"] / count * 1000,
        "cpu_postgres": cpu["postgres"] / count * 1000,
        "cpu_clients": cpu["clients"] / count * 1000,
        "cpu_redis": cpu["redis"] / count * 1000,
    }


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="per endpoint and round")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/studyapp_bench"
        ),
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        help="cache (and so sessions) as in production; empty: the local-memory cache",
    )
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DATABASE_URL"] = args.database_url
    # Each worker keeps one connection for the whole run (production: 60 s, which changes
    # nothing measurable), so the CPU accounting below sees every backend's time.
    os.environ["DJANGO_CONN_MAX_AGE"] = "3600"
    os.environ.pop("REDIS_URL", None)
    cache = "local memory"
    if args.redis_url and redis_reachable(args.redis_url):
        os.environ["REDIS_URL"] = args.redis_url
        cache = args.redis_url
    elif args.redis_url:
        print(f"Redis at {args.redis_url} does not answer: sessions cached in local memory")

    print(
        f"database {args.database_url}; cache {cache}; {args.clients} clients "
        f"(one process each); gunicorn {args.workers} sync workers"
    )
    prepare_database(args.database_url)
    fixture = build_fixture(args.clients)
    from django.db import connections

    connections.close_all()  # the client processes are forked from this one
    server = start_gunicorn(args.port, args.workers)
    results: dict[str, list[dict]] = {"baseline": [], "answer save": []}
    # One sequence counter per learner, shared by both endpoints: both write the same rows.
    sequences: dict = {}
    try:
        # Warm up: every worker opens its database connection and caches the sessions.
        drive(args.port, fixture, args.clients * 10, "answer save", sequences, server)
        drive(args.port, fixture, args.clients * 10, "baseline", sequences, server)
        for round_number in range(1, args.rounds + 1):
            for endpoint in ("baseline", "answer save"):
                run = drive(args.port, fixture, args.requests, endpoint, sequences, server)
                results[endpoint].append(run)
                print(
                    f"round {round_number} {endpoint:12s} {run['rps']:7.1f} req/s  "
                    f"p50 {run['p50']:6.1f} ms  p95 {run['p95']:6.1f} ms  "
                    f"p99 {run['p99']:6.1f} ms  errors {len(run['errors'])}  "
                    f"cpu/req: server {run['cpu_server']:.2f} ms "
                    f"(gunicorn {run['cpu_gunicorn']:.2f}, postgres {run['cpu_postgres']:.2f}), "
                    f"redis {run['cpu_redis']:.2f}, clients {run['cpu_clients']:.2f}"
                )
                if run["errors"]:
                    print("   first error:", run["errors"][0])
    finally:
        server.terminate()
        server.wait(timeout=30)

    print("\nmedians over rounds")
    summary = {}
    keys = ("rps", "p50", "p95", "p99", "cpu_server", "cpu_gunicorn", "cpu_postgres")
    for endpoint, runs in results.items():
        summary[endpoint] = {key: statistics.median(r[key] for r in runs) for key in keys}
        s = summary[endpoint]
        print(
            f"  {endpoint:12s} {s['rps']:7.1f} req/s  p50 {s['p50']:6.1f} ms  "
            f"p95 {s['p95']:6.1f} ms  p99 {s['p99']:6.1f} ms  "
            f"server cpu/req {s['cpu_server']:.2f} ms "
            f"(gunicorn {s['cpu_gunicorn']:.2f}, postgres {s['cpu_postgres']:.2f})"
        )
    ratio = summary["answer save"]["rps"] / summary["baseline"]["rps"]
    per_round = [
        a["rps"] / b["rps"]
        for a, b in zip(results["answer save"], results["baseline"], strict=True)
    ]
    cpu_ratio = summary["baseline"]["cpu_server"] / summary["answer save"]["cpu_server"]
    p95 = summary["answer save"]["p95"]
    errors = sum(len(r["errors"]) for runs in results.values() for r in runs)
    print(f"  throughput ratio answer-save / baseline: {ratio:.2f} (goal >= 0.50)")
    print(f"    per round: {', '.join(f'{r:.2f}' for r in per_round)}")
    print(
        f"    server CPU per request, baseline / answer-save: {cpu_ratio:.2f} "
        "(what the ratio tends to when the server alone fills the cores)"
    )
    print(f"  answer-save p95: {p95:.1f} ms (goal < 100 ms)")
    print(f"  errors: {errors}")
    ok = ratio >= 0.5 and p95 < 100 and errors == 0
    print("  verdict:", "goals met" if ok else "goals NOT met")


if __name__ == "__main__":
    main()
