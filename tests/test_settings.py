"""Production settings refuse to start half-configured, and pass Django's deployment checks.

Each case runs in a fresh interpreter: settings are read once per process. Variables are set
to "" rather than removed so that a developer's .env (read with overwrite=False) cannot fill
them in.
"""

import json
import os
import re
import subprocess
import sys

import pytest
import yaml
from django.conf import settings

# Registered as a plugin (not imported here) so pytest rewrites its asserts.

SECRET_KEY = "production-like-secret-key-for-tests-only-" + "x" * 20
HOSTS = "portal.example.kr"


def production_env(**overrides: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": HOSTS,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal",
    }
    env.update(overrides)
    return env


def run_python(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def import_production(**overrides: str) -> subprocess.CompletedProcess:
    return run_python(["-c", "import portal.settings.production"], production_env(**overrides))


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


def test_production_settings_refuse_to_load_without_a_secret_key():
    result = import_production(DJANGO_SECRET_KEY="")

    assert result.returncode == 1
    assert last_line(result.stderr) == (
        "django.core.exceptions.ImproperlyConfigured: DJANGO_SECRET_KEY must be set "
        "(50+ characters) in production / 운영 환경에는 DJANGO_SECRET_KEY(50자 이상)가 필요합니다."
    )


def test_production_settings_refuse_a_secret_key_shorter_than_50_characters():
    result = import_production(DJANGO_SECRET_KEY="k" * 49)

    assert result.returncode == 1
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY must be set" in last_line(result.stderr)


def test_production_settings_refuse_to_load_without_allowed_hosts():
    result = import_production(DJANGO_ALLOWED_HOSTS="")

    assert result.returncode == 1
    assert last_line(result.stderr) == (
        "django.core.exceptions.ImproperlyConfigured: DJANGO_ALLOWED_HOSTS must be set in "
        "production / 운영 환경에는 DJANGO_ALLOWED_HOSTS가 필요합니다."
    )


def test_production_settings_refuse_to_load_without_a_database_url():
    result = import_production(DATABASE_URL="")

    assert result.returncode == 1
    assert last_line(result.stderr) == (
        "django.core.exceptions.ImproperlyConfigured: DATABASE_URL must be set in production / "
        "운영 환경에는 DATABASE_URL이 필요합니다."
    )


def test_production_settings_load_with_key_hosts_and_database():
    result = import_production()

    assert (result.returncode, result.stderr) == (0, "")


def test_production_settings_pass_the_deployment_checks():
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env()
    )

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "System check identified no issues (0 silenced).\n"


def test_deployment_checks_fail_when_https_redirect_is_switched_off():
    # The passing check above means something only if the same check can fail.
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(DJANGO_SECURE_SSL_REDIRECT="false"),
    )

    assert result.returncode == 1
    assert "(security.W008)" in result.stderr


PROBE = """
import json
import re
import django
django.setup()
from django.test import Client
client = Client()
print(json.dumps({path: client.get(path).status_code for path in ("/", "/healthz", "/readyz")}))
"""


@pytest.mark.django_db
def test_production_redirects_plain_http_to_https_except_the_health_check():
    from tests.celery_worker import worker_database_url

    # given production settings on the test database, asked over plain HTTP
    env = production_env(DJANGO_ALLOWED_HOSTS="testserver", DATABASE_URL=worker_database_url())

    # when the home page and the health checks are requested
    result = run_python(["-c", PROBE], env)

    # then the page redirects to HTTPS, and both probes are answered over HTTP: liveness 200,
    # readiness 503 (no worker runs here)
    assert result.returncode == 0, result.stderr
    assert json.loads(last_line(result.stdout)) == {"/": 301, "/healthz": 200, "/readyz": 503}


def variables_the_settings_read(*, skip: tuple[str, ...] = ()) -> set[str]:
    read = set()
    for path in (settings.BASE_DIR / "portal" / "settings").glob("*.py"):
        if path.name in skip:
            continue
        read |= set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]*)"', path.read_text()))
    return read


def test_env_example_documents_every_variable_the_settings_read():
    read = variables_the_settings_read()
    example = (settings.BASE_DIR / ".env.example").read_text()
    documented = set(re.findall(r"^# ([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))

    assert sorted(read - documented) == []


def test_docker_compose_passes_every_variable_the_settings_read_to_the_app():
    compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
    app_env = compose["x-app"]["environment"]
    apps = ("migrate", "web", "worker-scoring", "worker-coordination", "worker-mail", "beat")
    # Production forces DEBUG off, so the stack has no use for it.
    not_needed = {"DJANGO_DEBUG"}

    # bench.py drives `make bench` on this machine; the stack never loads it.
    read = variables_the_settings_read(skip=("bench.py",))
    assert sorted(read - set(app_env) - not_needed) == []
    assert {name: compose["services"][name]["environment"] for name in apps} == dict.fromkeys(
        apps, app_env
    )
