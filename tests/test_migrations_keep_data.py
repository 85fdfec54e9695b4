"""Migrating a database filled by the code before the restructuring changes none of its rows.

The restructuring moves models between apps with state-only migrations (SeparateDatabaseAndState:
alliance 0006 and fund 0008 hand FundQuestion to the fund app; its table alliance_fundquestion
keeps its name), and more may follow in the same style. Such a migration must not touch a row.
This proves it on a realistic database: one filled by the code as it stood at commit 3a25b69
(the last commit before the restructuring), migrated forward with the current code.

How: `git archive 3a25b69` gives the old tree (under tmp_path) and scripts/migration_fill.py is
copied into it. A scratch database (portal_migration_check_<random>, on the suite's server,
created and dropped here with psycopg2; the test database is not used) is migrated and filled
by the old code in subprocesses: seed_demo, 10,000 generated proposals, scoring, referrals
delivered to the fund, reviews through the stages to decisions, the fund's questions relayed
and answered. Every table's row count and an md5 over its rows, read on all the columns it had
before (every column counts as a business column; none is expected to change on migrate), are
taken before and after the current tree's `manage.py migrate`, and must be equal. A table or
column that migrate drops fails the test; one that it adds is a change of schema, not of the
stored rows: it is printed and not compared.

Some tables are compared differently, by design:
- django_migrations gains the new migrations' rows (checked by name below).
- fund_channel: fund 0011 corrects the channels' texts where they stated what no published
  source says (CORRECTED); its rows are compared on their other columns, and the texts must be
  the corrected ones.
- auth_group_permissions: the role groups' permissions are synced to the code's
  ROLE_PERMISSIONS after every migrate (alliance.roles), not by a migration; they are
  checked against that list.
- django_content_type and auth_permission are Django's registry of models. A moved model gets
  a content type (and its permissions) in its new app: post_migrate adds the rows, or a
  migration relabels the old content type. So every content type keeps its id and model name
  (only its app_label may change), added ones are for models that had a content type in
  another app before or for new models (whose table migrate created), every permission row
  stays as it was, and added permissions belong to added content types.

MIGRATION_CHECK_NEW_TREE (only to show that the test can fail): the tree whose `migrate` is
checked, instead of this repository, e.g. a copy with a data-changing migration added.

Runs in subprocesses with the suite's interpreter; about a minute on 2 cores.
"""

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings
from psycopg2 import sql

OLD_COMMIT = "3a25b69"
REPO = Path(__file__).resolve().parent.parent
FILL_SCRIPT = Path("scripts") / "migration_fill.py"
NEW_MIGRATIONS = {
    ("alliance", "0006_fund_question_moves_to_fund"),
    ("fund", "0008_fund_question_from_alliance"),
    ("alliance", "0007_notification_moves_to_core"),
    ("core", "0001_initial"),
    ("core", "0002_outbox_for_every_mail"),
    ("fund", "0011_public_facts"),
}
# The models that moved app, and where to: their content type keeps its id (and so their
# permissions and the admin log keep pointing at them).
MOVED = {("alliance", "fundquestion"): "fund", ("alliance", "notification"): "core"}
# Columns a migration rewrites on purpose: fund 0011 corrects the channels' texts where they
# stated what no published source says (docs/facts.md). Those tables are compared on their
# other columns, and the corrected columns must hold fund/capacity/facts_seed.py's texts.
CORRECTED = {
    "fund_channel": {"funds_ko", "funds_en", "who_ko", "who_en", "terms_ko", "terms_en"},
    # alliance 0009 renames the institution kind `commercial_bank` to the API's `bank`.
    "alliance_financialinstitution": {"kind"},
    # matching 0005 writes the untouched start rule set's name and description in Korean only.
    "matching_ruleset": {"name", "description"},
}
# Compared as a whole except these (see the module docstring).
NOT_COMPARED = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "auth_group_permissions",
    # A new role (`institution`, issue 17) adds its group after migrate (alliance.roles).
    "auth_group",
}


def run(args: list[str], *, cwd: Path, env: dict, timeout: int) -> subprocess.CompletedProcess:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, (
        f"{' '.join(args)} failed in {cwd} (exit {done.returncode})\n"
        f"stdout:\n{done.stdout[-3000:]}\nstderr:\n{done.stderr[-6000:]}"
    )
    return done


def old_tree(destination: Path) -> Path:
    """The repository at OLD_COMMIT, extracted under `destination`, with the fill script."""
    found = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--verify", "--quiet", f"{OLD_COMMIT}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode != 0:
        pytest.fail(
            f"Commit {OLD_COMMIT} (the last one before the restructuring) is not in the "
            f"repository at {REPO}; this check needs it (a shallow clone? fetch the history). "
            f"git said: {found.stderr.strip()!r}"
        )
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", found.stdout.strip()],
        capture_output=True,
        check=True,
    )
    destination.mkdir()
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(destination, filter="data")
    (destination / FILL_SCRIPT).parent.mkdir(exist_ok=True)
    shutil.copy(REPO / FILL_SCRIPT, destination / FILL_SCRIPT)
    return destination


def new_tree() -> Path:
    tree = Path(os.environ.get("MIGRATION_CHECK_NEW_TREE") or REPO).resolve()
    assert (tree / "manage.py").is_file(), f"no manage.py in {tree}"
    return tree


@pytest.fixture
def scratch_database():
    """(connection parameters, DATABASE_URL) of a new empty database, dropped afterwards."""
    server = settings.DATABASES["default"]
    params = {
        "host": server.get("HOST") or "127.0.0.1",
        "port": int(server.get("PORT") or 5432),
        "user": server.get("USER") or "postgres",
        "password": server.get("PASSWORD") or None,
    }
    name = f"portal_migration_check_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        password = f":{quote(params['password'], safe='')}" if params["password"] else ""
        url = (
            f"postgres://{quote(params['user'], safe='')}{password}@{params['host']}:"
            f"{params['port']}/{name}"
        )
        yield {**params, "dbname": name}, url
    finally:
        with admin.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        admin.close()


def columns(cursor) -> dict[str, list[str]]:
    """The public schema's tables and their columns, in column order."""
    cursor.execute(
        "SELECT c.table_name, c.column_name FROM information_schema.columns c "
        "JOIN pg_tables t ON t.schemaname = c.table_schema AND t.tablename = c.table_name "
        "WHERE c.table_schema = 'public' ORDER BY c.table_name, c.ordinal_position"
    )
    found: dict[str, list[str]] = {}
    for table, column in cursor.fetchall():
        found.setdefault(table, []).append(column)
    return found


def snapshot(params: dict, schema: dict[str, list[str]] | None = None) -> dict:
    """Per table: (row count, md5 over its rows ordered by their text), the rows read on the
    columns of `schema` (by default the tables' columns now), plus the registry rows (content
    types by id, permissions as row text) and the applied migrations."""
    with psycopg2.connect(**params) as connection, connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
        present = columns(cursor)
        schema = present if schema is None else schema
        sums = {}
        for table, names in schema.items():
            if table not in present or not set(names) <= set(present[table]):
                continue  # reported by the caller from `columns`
            row = sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(n)) for n in names)
            cursor.execute(
                sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(r, '|' ORDER BY r), '')) "
                    "FROM (SELECT ROW({})::text AS r FROM {} t) rows"
                ).format(row, sql.Identifier(table))
            )
            sums[table] = cursor.fetchone()
        cursor.execute("SELECT id, app_label, model FROM django_content_type")
        content_types = {pk: (app, model) for pk, app, model in cursor.fetchall()}
        cursor.execute("SELECT t::text, content_type_id FROM auth_permission t")
        permissions = dict(cursor.fetchall())
        cursor.execute("SELECT app, name FROM django_migrations")
        migrations = set(cursor.fetchall())
    connection.close()
    return {
        "columns": present,
        "tables": sums,
        "content_types": content_types,
        "permissions": permissions,
        "migrations": migrations,
    }


def without_corrected(schema: dict[str, list[str]]) -> dict[str, list[str]]:
    """`schema` without the columns a migration rewrites on purpose (CORRECTED)."""
    return {
        table: [c for c in names if c not in CORRECTED.get(table, set())]
        for table, names in schema.items()
    }


def corrected_channel_texts(params: dict) -> dict[str, tuple[str, ...]]:
    fields = sorted(CORRECTED["fund_channel"])
    query = sql.SQL("SELECT code, {} FROM fund_channel").format(
        sql.SQL(", ").join(sql.Identifier(f) for f in fields)
    )
    with psycopg2.connect(**params) as connection, connection.cursor() as cursor:
        cursor.execute(query)
        rows = {code: tuple(values) for code, *values in cursor.fetchall()}
    connection.close()
    return rows


def fetch(params: dict, query: str) -> int:
    with psycopg2.connect(**params) as connection, connection.cursor() as cursor:
        cursor.execute(query)
        value = cursor.fetchone()[0]
    connection.close()
    return value


def registry_differences(before: dict, after: dict) -> list[str]:
    """What changed in django_content_type and auth_permission beyond a model's move."""
    problems = []
    old_types, new_types = before["content_types"], after["content_types"]
    for pk, (app, model) in old_types.items():
        if pk not in new_types:
            problems.append(f"content type {pk} {app}.{model} was deleted")
        elif new_types[pk][1] != model:
            problems.append(f"content type {pk} {app}.{model} became {'.'.join(new_types[pk])}")
    added_types = set(new_types) - set(old_types)
    models_before = {model for _app, model in old_types.values()}
    # A new model's table is created by migrate; its content type is new, not a moved one.
    new_tables = set(after["columns"]) - set(before["columns"])
    for pk in sorted(added_types):
        app, model = new_types[pk]
        if model not in models_before and f"{app}_{model}" not in new_tables:
            problems.append(f"content type {pk} {app}.{model} was added for no moved model")
    for row in before["permissions"].keys() - after["permissions"].keys():
        problems.append(f"permission row {row} was changed or deleted")
    for row in after["permissions"].keys() - before["permissions"].keys():
        if after["permissions"][row] not in added_types:
            problems.append(f"permission row {row} was added to a content type that existed")
    return problems


def test_migrating_the_old_database_keeps_every_row(tmp_path, scratch_database):
    params, url = scratch_database
    env = {k: v for k, v in os.environ.items() if k not in ("DEMO_PASSWORD", "PYTHONPATH")}
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="portal.settings.local",
        CELERY_BROKER_URL="",
        CACHE_URL="",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    old = old_tree(tmp_path / "old")
    old_env = {**env, "PYTHONPATH": str(old)}
    run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=old, env=old_env, timeout=300)
    filled = run([sys.executable, str(FILL_SCRIPT)], cwd=old, env=old_env, timeout=600)
    print("fill:", filled.stdout.strip().splitlines()[-1])
    before = snapshot(params)
    before_kept = snapshot(params, schema=without_corrected(before["columns"]))
    assert not NEW_MIGRATIONS & before["migrations"]

    new = new_tree()
    run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=new,
        env={**env, "PYTHONPATH": str(new)},
        timeout=300,
    )
    after = snapshot(params, schema=before["columns"])
    after_kept = snapshot(params, schema=without_corrected(before["columns"]))

    gone = {
        table: sorted(set(names) - set(after["columns"].get(table, [])))
        for table, names in before["columns"].items()
        if not set(names) <= set(after["columns"].get(table, []))
    }
    assert not gone, f"migrate dropped these tables or columns: {gone}"
    added = {
        table: sorted(set(names) - set(before["columns"].get(table, [])))
        for table, names in after["columns"].items()
        if not set(names) <= set(before["columns"].get(table, []))
    }
    print("tables and columns added by migrate (not compared):", added)
    compared_before = {
        t: (before_kept["tables"][t] if t in CORRECTED else v)
        for t, v in before["tables"].items()
        if t not in NOT_COMPARED
    }
    compared_after = {
        t: (after_kept["tables"][t] if t in CORRECTED else v)
        for t, v in after["tables"].items()
        if t not in NOT_COMPARED
    }
    changed = {
        table: (compared_before.get(table), compared_after.get(table))
        for table in compared_before.keys() | compared_after.keys()
        if compared_before.get(table) != compared_after.get(table)
    }
    assert compared_after == compared_before, (
        f"migrate changed these tables, (rows, md5) before → after: {changed}"
    )
    assert registry_differences(before, after) == []
    from fund.capacity.facts_seed import CHANNELS

    fields = sorted(CORRECTED["fund_channel"])
    assert corrected_channel_texts(params) == {
        row["code"]: tuple(row[f] for f in fields) for row in CHANNELS
    }
    # The role groups hold what the code says: none (the portal checks roles itself).
    grants = (
        "SELECT g.name, p.codename FROM auth_group_permissions gp "
        "JOIN auth_group g ON g.id = gp.group_id JOIN auth_permission p ON p.id = gp.permission_id"
    )
    with psycopg2.connect(**params) as conn, conn.cursor() as cursor:
        cursor.execute(grants)
        held = sorted(cursor.fetchall())
    roles = {"applicant", "alliance_secretariat", "fund_secretariat", "site_editor"}
    assert [row for row in held if row[0] in roles] == []
    ids_before = {v: k for k, v in before["content_types"].items()}
    ids_after = {v: k for k, v in after["content_types"].items()}
    assert {
        (new_app, model): ids_after.get((new_app, model))
        for (_app, model), new_app in MOVED.items()
    } == {(new_app, model): ids_before[(app, model)] for (app, model), new_app in MOVED.items()}
    assert not set(MOVED) & set(ids_after)
    print(
        "content types added by migrate:",
        sorted(set(after["content_types"].values()) - set(before["content_types"].values())),
    )
    assert NEW_MIGRATIONS <= after["migrations"]
    assert before["migrations"] <= after["migrations"]

    # The database was filled for real (the bounds are below what migration_fill.py makes).
    counts = {
        "proposals": "SELECT count(*) FROM alliance_proposal",
        "scored proposals": "SELECT count(DISTINCT proposal_id) FROM matching_matchresult",
        "referral packets": "SELECT count(*) FROM fund_coordinationpacket WHERE kind = 'referral'",
        "delivered packets": "SELECT count(*) FROM fund_coordinationpacket "
        "WHERE delivered_at IS NOT NULL",
        "fund inbox rows": "SELECT count(*) FROM fund_fundinbox",
        "KEIT inbox rows": "SELECT count(*) FROM fund_keitinbox",
        "reviews": "SELECT count(*) FROM fund_fundreview",
        "reviews past received": "SELECT count(*) FROM fund_fundreview WHERE stage <> 'received'",
        "decisions": "SELECT count(*) FROM fund_fundreview WHERE decision <> ''",
        "approvals committed": "SELECT count(*) FROM fund_commitment WHERE proposal_id IS NOT NULL",
        "fund questions": "SELECT count(*) FROM alliance_fundquestion",
        "answered fund questions": "SELECT count(*) FROM alliance_fundquestion "
        "WHERE answered_at IS NOT NULL AND answer_packet_id IS NOT NULL",
        "audit rows": "SELECT count(*) FROM alliance_auditlog",
        "mails": "SELECT count(*) FROM alliance_notification",
    }
    found = {name: fetch(params, query) for name, query in counts.items()}
    print("counts:", json.dumps(found))
    minimum = {
        "proposals": 10_000,
        "scored proposals": 10_000,
        "referral packets": 300,
        "delivered packets": 894,  # 300 referrals, their 593 status packets back, 1 answer
        "fund inbox rows": 301,
        "KEIT inbox rows": 593,
        "reviews": 300,
        "reviews past received": 120,
        "decisions": 40,
        "approvals committed": 20,
        "fund questions": 3,
        "answered fund questions": 1,
        "audit rows": 11_000,
        "mails": 250,
    }
    short = {name: (found[name], least) for name, least in minimum.items() if found[name] < least}
    assert not short, f"the fill made less than expected, (found, at least): {short}"
