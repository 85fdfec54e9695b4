"""Korean first, English second: the Korean catalogue translates every message the code uses."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

KO_PO = Path(settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES" / "django.po"


def _entries(po_text: str):
    """(msgid, msgstr, fuzzy) for every entry but the header, with continuation lines joined."""
    entries = []
    for block in po_text.split("\n\n"):
        lines = block.strip().splitlines()
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            match = re.match(r'^(msgid|msgstr|msgid_plural|msgstr\[0\])\s+"(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            msgstr = fields.get("msgstr", fields.get("msgstr[0]", ""))
            entries.append((fields["msgid"], msgstr, fuzzy))
    return entries


def test_korean_catalogue_has_no_untranslated_or_fuzzy_message():
    entries = _entries(KO_PO.read_text(encoding="utf-8"))

    missing = [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]

    assert len(entries) > 300
    assert missing == []


def test_korean_catalogue_covers_every_message_in_the_code(tmp_path):
    # Re-extract the messages in a copy of the project: a string added to the code without a
    # Korean translation shows up there as an empty (or fuzzy) entry.
    copy = tmp_path / "project"
    shutil.copytree(
        settings.BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv",
            "node_modules",
            "staticfiles",
            ".git",
            "media",
            ".test-media",
            "*.pyc",
            "__pycache__",
            "bench",
        ),
    )
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "ko",
            "--no-obsolete",
            "--ignore=tests/*",
            "-v",
            "0",
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"},
    )
    assert result.returncode == 0, result.stderr
    entries = _entries((copy / "locale" / "ko" / "LC_MESSAGES" / "django.po").read_text("utf-8"))

    assert [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy] == []
