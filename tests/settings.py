"""Settings for the test suite: the project's settings with a test-only key and plain
HTTP. Database and cache still come from the environment (``DATABASE_URL``), so the same
suite runs on SQLite and on PostgreSQL."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-" + "x" * 40)
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("DJANGO_CSRF_COOKIE_SECURE", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from studyapp.settings import *  # noqa: F403

# Fast hashing: the suite creates many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "en"
# Query-count pins list the session read as one query; keep sessions in the database here
# (production reads them from the cache first, see studyapp/settings.py).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Generation runs in the request that queues it (once its transaction commits), so tests
# see the finished job; tests of the background thread set "thread" themselves.
STUDYAPP_GENERATION_RUNNER = "inline"

# SQLite: the test database is a file in WAL mode, as the embedded set-up runs, not
# Django's default shared-cache memory database. In shared cache a writing transaction
# locks whole tables against readers of other connections at once ("database table is
# locked", no busy wait), which a page read while the generation thread writes would hit;
# WAL never blocks readers.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(VAR_DIR / "test_studyapp.sqlite3")  # noqa: F405
    }
