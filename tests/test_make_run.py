"""`make run` as a newcomer meets it: mail links point at the address it serves, and the default
laptop mode (SQLite, in-process tasks) starts without warnings."""

import os
import subprocess
import sys

from django.conf import settings


def newcomer_env(**overrides: str) -> dict:
    """The environment of someone who has set nothing: no database, broker or site address."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "SITE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(overrides)
    return env


def make_site_url(**env: str) -> str:
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", "site-url", *[f"{k}={v}" for k, v in env.items()]],
        cwd=settings.BASE_DIR,
        env=newcomer_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_mail_links_follow_the_port_make_run_serves():
    assert make_site_url() == "http://127.0.0.1:8000"
    assert make_site_url(PORT="8123") == "http://127.0.0.1:8123"


def test_a_site_url_that_is_set_wins_over_the_port():
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", "site-url", "PORT=8123"],
        cwd=settings.BASE_DIR,
        env=newcomer_env(SITE_URL="https://portal.example.kr"),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout.strip() == "https://portal.example.kr"


def test_the_default_laptop_mode_passes_the_system_checks_without_a_warning():
    # `migrate` runs the database checks too: SQLite's two W038 (a deferred unique constraint)
    # are silenced there, and only there.
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--database", "default"],
        cwd=settings.BASE_DIR,
        env=newcomer_env(DJANGO_SETTINGS_MODULE="portal.settings.local"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.strip() == "System check identified no issues (2 silenced)."
