"""The Simplified Chinese catalog is complete, compiled, and covers every string in the code."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_catalog_has_no_untranslated_or_fuzzy_entries(domain):
    po_path = LOCALE / f"{domain}.po"
    if domain == "djangojs" and not po_path.exists():
        pytest.skip("no JavaScript catalog yet")
    po = polib.pofile(str(po_path))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_compiled_catalog_matches_the_po_file(domain):
    po_path = LOCALE / f"{domain}.po"
    if domain == "djangojs" and not po_path.exists():
        pytest.skip("no JavaScript catalog yet")
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(LOCALE / f"{domain}.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    for entry in po.translated_entries():
        key = (entry.msgctxt, entry.msgid)
        assert key in compiled, f"{entry.msgid!r} is missing from {domain}.mo: run compilemessages"
        msgstr, plural = compiled[key]
        if entry.msgid_plural:
            assert {int(k): v for k, v in plural.items()} == {
                int(k): v for k, v in entry.msgstr_plural.items()
            }
        else:
            assert msgstr == entry.msgstr, f"{entry.msgid!r} differs: run compilemessages"


def test_catalog_covers_every_translatable_string_in_the_code(tmp_path):
    """Extract the strings again from a copy of the project and compare."""
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext (xgettext) is not installed; `apt-get install gettext`")
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "project"
    shutil.copytree(
        base,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", "var", ".git", "node_modules", "__pycache__", "bench"
        ),
    )
    for domain in ("django", "djangojs"):
        result = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "zh_Hans",
                "-d",
                domain,
                "--no-obsolete",
                "--ignore=tests/*",
            ],
            cwd=copy,
            env={"DJANGO_DEBUG": "1", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(copy)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        fresh_path = copy / "locale" / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"
        if not fresh_path.exists():
            continue
        fresh = polib.pofile(str(fresh_path))
        missing = [e.msgid for e in fresh if not e.obsolete and not e.translated()]
        assert missing == [], f"strings not translated in {domain}.po: {missing[:20]}"


def test_pages_are_translated_when_chinese_is_chosen():
    with translation.override("zh-hans"):
        assert translation.gettext("Study quizzes") != "Study quizzes"
        assert translation.gettext("question version") != "question version"
