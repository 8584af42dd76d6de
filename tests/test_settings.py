"""Settings come from the environment: production is secure, the embedded default is SQLite
in WAL mode that does not fail under concurrent writers, Redis is used when configured.

Each case runs Django in a fresh process, since settings are read once per process."""

import os
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "p" * 20 + "-R4nd0m!-" + "q" * 30 + "Zx9",
    "DJANGO_ALLOWED_HOSTS": "study.example.org",
}


def run_django(code: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    clean.update(
        {
            "DJANGO_SETTINGS_MODULE": "studyapp.settings",
            "DJANGO_SQLITE_PATH": str(tmp_path / "db.sqlite3"),
            "PYTHONPATH": str(BASE_DIR),
        }
    )
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = run_django(
        """
        import django, sys
        from django.core.management import call_command
        django.setup()
        call_command("check", "--deploy", "--fail-level", "DEBUG")
        """,
        PRODUCTION_ENV,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr


def test_missing_secret_key_outside_debug_is_refused(tmp_path):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "DJANGO_SECRET_KEY"}
    result = run_django("import django; django.setup()", env, tmp_path)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_settings_use_a_development_key_and_local_hosts(tmp_path):
    result = run_django(
        """
        import django
        django.setup()
        from django.conf import settings
        print(settings.SECRET_KEY.startswith("django-insecure"), settings.ALLOWED_HOSTS)
        """,
        {"DJANGO_DEBUG": "1"},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True ['127.0.0.1', 'localhost'")


def test_embedded_sqlite_uses_wal_immediate_transactions_and_a_busy_timeout(tmp_path):
    result = run_django(
        """
        import django
        django.setup()
        from django.db import connection
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            mode = cursor.fetchone()[0]
            cursor.execute("PRAGMA busy_timeout")
            timeout = cursor.fetchone()[0]
            cursor.execute("PRAGMA foreign_keys")
            fks = cursor.fetchone()[0]
        print(mode, timeout, fks, connection.settings_dict["OPTIONS"]["transaction_mode"])
        """,
        {"DJANGO_DEBUG": "1"},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000", "1", "IMMEDIATE"]


def test_concurrent_writers_on_embedded_sqlite_do_not_hit_database_is_locked(tmp_path):
    """Eight threads doing read-then-write transactions on one file: with IMMEDIATE
    transactions and a busy timeout they queue instead of failing."""
    result = run_django(
        """
        import threading
        import django
        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction
        call_command("migrate", verbosity=0)
        from quizzes.models import User
        errors = []

        def worker(n):
            try:
                for i in range(25):
                    with transaction.atomic():
                        count = User.objects.count()
                        User.objects.create(username=f"w{n}-{i}-{count}")
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                connection.close()

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(len(errors), User.objects.count(), errors[:1])
        """,
        {"DJANGO_DEBUG": "1"},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["0", "200"], result.stdout


def test_database_url_selects_postgresql_with_health_checks(tmp_path):
    result = run_django(
        """
        import django
        django.setup()
        from django.conf import settings
        db = settings.DATABASES["default"]
        print(db["ENGINE"], db["NAME"], db["CONN_HEALTH_CHECKS"])
        """,
        {"DJANGO_DEBUG": "1", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/studyapp"},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "studyapp", "True"]


def redis_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_redis_url_selects_the_redis_cache(tmp_path):
    if not redis_is_up():
        pytest.skip(
            "Redis is not answering on 127.0.0.1:6379; start it with "
            "`redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' "
            "--appendonly no`"
        )
    result = run_django(
        """
        import django
        django.setup()
        from django.core.cache import caches
        cache = caches["default"]
        cache.set("studyapp-settings-test", "ok", 30)
        print(type(cache).__name__, cache.get("studyapp-settings-test"))
        cache.delete("studyapp-settings-test")
        """,
        {"DJANGO_DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:6379/15"},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["RedisCache", "ok"]


def postgresql_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


SHOW_JIT = """
    import django
    django.setup()
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit" if connection.vendor == "postgresql" else "SELECT 'none'")
        print(cursor.fetchone()[0], connection.settings_dict["OPTIONS"].get("options"))
    """


def test_postgresql_connections_run_without_jit(tmp_path):
    """Report queries over 10^5 rows spent longer in JIT compilation than in running; the
    app's connections turn it off, keeping any ``options`` the URL gives."""
    if not postgresql_is_up():
        pytest.skip("PostgreSQL is not answering on 127.0.0.1:5432")
    url = "postgres://postgres@127.0.0.1:5432/postgres"
    result = run_django(SHOW_JIT, {"DJANGO_DEBUG": "1", "DATABASE_URL": url}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["off", "-c", "jit=off"]

    with_options = url + "?options=-c%20statement_timeout%3D5000"
    result = run_django(
        SHOW_JIT
        + """
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        print(cursor.fetchone()[0])
    """,
        {"DJANGO_DEBUG": "1", "DATABASE_URL": with_options},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["off", "-c", "statement_timeout=5000", "-c", "jit=off", "5s"]


def test_sqlite_gets_no_postgresql_options(tmp_path):
    result = run_django(SHOW_JIT, {"DJANGO_DEBUG": "1"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["none", "None"]


# --- Which language a page is in (README: Configuration) --------------------------------


@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [
        (None, None, "zh-hans"),  # nothing asked: DJANGO_LANGUAGE_CODE
        (None, "en-US,en;q=0.9", "en"),  # the browser asks for English
        (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh-hans"),
        (None, "zh-TW", "zh-hans"),  # Chinese, though not Simplified: the Chinese we have
        (None, "fr-FR,fr;q=0.9", "zh-hans"),  # neither: the default
        (None, "fr-FR,en;q=0.5", "en"),  # English as a second choice
        ("en", "zh-CN", "en"),  # a person's choice comes before the browser's
        ("zh-hans", "en-US", "zh-hans"),
    ],
)
def test_the_language_is_the_choice_then_the_browser_then_the_default(
    client, db, settings, cookie, accept, expected
):
    settings.LANGUAGE_CODE = "zh-hans"  # the project's default (the suite runs in English)
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    headers = {"HTTP_ACCEPT_LANGUAGE": accept} if accept else {}

    response = client.get("/accounts/login/", **headers)

    assert response.headers["Content-Language"] == expected
    assert f'<html lang="{expected}">' in response.content.decode()


def test_the_default_language_is_simplified_chinese(tmp_path):
    result = run_django(
        """
        import django
        django.setup()
        from django.conf import settings
        locale = "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE
        print(settings.LANGUAGE_CODE, locale)
        """,
        {"DJANGO_DEBUG": "1"},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["zh-hans", "True"]


def test_favicon_ico_leads_to_the_icon_every_page_links(client, db):
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    response = client.get("/favicon.ico")

    assert response.status_code == 302 and response["Location"] == static("favicon.ico")
    icon = Path(finders.find("favicon.ico")).read_bytes()
    assert icon[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = client.get("/accounts/login/").content.decode()
    assert f'<link rel="icon" href="{static("favicon.ico")}"' in page


def test_favicon_is_not_held_behind_an_initial_password(client, db):
    from tests import factories

    user = factories.UserFactory(username="imported")
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    client.force_login(user)

    assert client.get("/favicon.ico")["Location"].endswith("favicon.ico")


def test_make_run_prints_the_address_it_serves():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    base = Path(settings.BASE_DIR)
    dry_run = subprocess.run(
        ["make", "-n", "-B", "run", "PORT=8711", "HOST=0.0.0.0"],
        cwd=base,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout

    assert "manage.py demo --site-url http://0.0.0.0:8711/" in dry_run
    assert "Serving on http://0.0.0.0:8711/" in dry_run
    assert "runserver 0.0.0.0:8711" in dry_run
    assert ":8000" not in dry_run
