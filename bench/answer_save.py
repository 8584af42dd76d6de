"""Answer-save throughput and latency under gunicorn on PostgreSQL, against a baseline.

    .venv/bin/python bench/answer_save.py [--requests 3000] [--clients 16] [--rounds 3]

Builds a fresh database (``studyapp_bench`` on the local PostgreSQL by default), 16
learners each with an open attempt of a 10-question quiz, serves the app with gunicorn
(4 sync workers), and drives, with ``--clients`` concurrent logged-in clients:

- **answer save**: ``POST /api/attempts/<id>/answers/`` — session auth, CSRF, parsing,
  the service with its checks, under the attempt's row lock;
- **baseline**: a bench-only endpoint doing only the same row write under the same lock.

Both run in alternating rounds in the same run (the machine is shared and noisy), and the
script prints requests/s and p50/p95/p99 latency per endpoint (median over rounds) and the
ratio. Goal (issue 3): answer-save throughput at least half the baseline's, p95 < 100 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import statistics
import string
import subprocess
import sys
import threading
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


def drive(port: int, fixture: list[dict], total: int, endpoint: str, state: dict) -> dict:
    """Send ``total`` requests spread over the clients; return throughput and latencies."""
    per_client = total // len(fixture)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        me = fixture[n]
        mine: list[float] = []
        for i in range(per_client):
            position = i % QUESTIONS + 1
            state[(n, position)] = sequence = state.get((n, position), 0) + 1
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
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            mine.append(time.perf_counter() - started)
            conn.close()
            if response.status != 200:
                with lock:
                    errors.append(f"{response.status} {payload[:200]!r}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(len(fixture))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "rps": len(latencies) / elapsed,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "errors": errors,
        "count": len(latencies),
    }


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
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.pop("REDIS_URL", None)

    print(f"database {args.database_url}; {args.clients} clients; gunicorn {args.workers} workers")
    prepare_database(args.database_url)
    fixture = build_fixture(args.clients)
    server = start_gunicorn(args.port, args.workers)
    results: dict[str, list[dict]] = {"baseline": [], "answer save": []}
    # One sequence counter per item, shared by both endpoints: both write the same rows.
    sequences: dict = {}
    try:
        drive(args.port, fixture, args.clients * 10, "answer save", sequences)
        drive(args.port, fixture, args.clients * 10, "baseline", sequences)
        for round_number in range(1, args.rounds + 1):
            for endpoint in ("baseline", "answer save"):
                run = drive(args.port, fixture, args.requests, endpoint, sequences)
                results[endpoint].append(run)
                print(
                    f"round {round_number} {endpoint:12s} {run['rps']:7.1f} req/s  "
                    f"p50 {run['p50']:6.1f} ms  p95 {run['p95']:6.1f} ms  "
                    f"p99 {run['p99']:6.1f} ms  errors {len(run['errors'])}"
                )
                if run["errors"]:
                    print("   first error:", run["errors"][0])
    finally:
        server.terminate()
        server.wait(timeout=30)

    print("\nmedians over rounds")
    summary = {}
    for endpoint, runs in results.items():
        summary[endpoint] = {
            key: statistics.median(r[key] for r in runs) for key in ("rps", "p50", "p95", "p99")
        }
        s = summary[endpoint]
        print(
            f"  {endpoint:12s} {s['rps']:7.1f} req/s  p50 {s['p50']:6.1f} ms  "
            f"p95 {s['p95']:6.1f} ms  p99 {s['p99']:6.1f} ms"
        )
    ratio = summary["answer save"]["rps"] / summary["baseline"]["rps"]
    p95 = summary["answer save"]["p95"]
    errors = sum(len(r["errors"]) for runs in results.values() for r in runs)
    print(f"  throughput ratio answer-save / baseline: {ratio:.2f} (goal >= 0.50)")
    print(f"  answer-save p95: {p95:.1f} ms (goal < 100 ms)")
    print(f"  errors: {errors}")
    ok = ratio >= 0.5 and p95 < 100 and errors == 0
    print("  verdict:", "goals met" if ok else "goals NOT met")


if __name__ == "__main__":
    main()
