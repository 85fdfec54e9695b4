"""`make backup` and `make restore`: a backup restored into a new database and media folder
gives back the same proposals, documents (their files byte for byte) and packets."""

import hashlib
import os
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from alliance.documents.services import document_upload
from alliance.models import ProposalDocument
from fund.coordination import services as coordination
from tests.files import make_pdf
from tests.pipeline_support import submitted_proposal

pytestmark = pytest.mark.django_db(transaction=True)
REPO = Path(settings.BASE_DIR)


def _url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"


def _rows(url: str, sql: str) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


SNAPSHOT = {
    "proposals": "SELECT id, title, status, requested_krw, version FROM alliance_proposal",
    "documents": "SELECT id, proposal_id, file, sha256, size FROM alliance_proposaldocument",
    "packets": "SELECT id::text, sequence, kind, state, payload::text FROM fund_coordinationpacket",
}


def _snapshot(url: str) -> dict:
    return {name: sorted(_rows(url, sql)) for name, sql in SNAPSHOT.items()}


@pytest.fixture
def empty_database():
    name = f"portal_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(_url("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _url(name)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_a_backup_restores_the_same_proposals_documents_and_packets(
    tmp_path, settings, keit, applicant, draft, empty_database
):
    settings.MEDIA_ROOT = tmp_path / "media"
    document = document_upload(
        proposal_id=draft.pk,
        actor=applicant,
        upload=make_pdf(),
        kind="business_plan",
    )
    referred = submitted_proposal(title="백업 대상 제안")
    coordination.proposal_refer(proposal_id=referred.pk, actor=keit, channel="loan")
    source = _url(connection.settings_dict["NAME"])
    before = _snapshot(source)
    backup = tmp_path / "backup"
    env = {**os.environ, "MEDIA_ROOT": str(settings.MEDIA_ROOT)}

    made = subprocess.run(
        ["make", "-s", "backup", f"BACKUP={backup}"],
        cwd=REPO,
        env={**env, "DATABASE_URL": source},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    restored_media = tmp_path / "restored-media"
    put_back = subprocess.run(
        ["make", "-s", "restore", f"BACKUP={backup}"],
        cwd=REPO,
        env={**env, "DATABASE_URL": empty_database, "MEDIA_ROOT": str(restored_media)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert made.returncode == 0, made.stderr
    assert put_back.returncode == 0, put_back.stderr
    assert sorted(p.name for p in backup.iterdir()) == ["db.dump", "manifest.txt", "media.tar.gz"]
    after = _snapshot(empty_database)
    assert after == before
    # The draft and the referred proposal, the draft's document, the referral's packet.
    assert [len(after[name]) for name in SNAPSHOT] == [2, 1, 1]
    stored = ProposalDocument.objects.get(pk=document.pk)
    copy = (restored_media / stored.file.name).read_bytes()
    assert hashlib.sha256(copy).hexdigest() == stored.sha256


def test_a_backup_whose_files_changed_is_not_restored(tmp_path, settings, empty_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    source = _url(connection.settings_dict["NAME"])
    backup = tmp_path / "backup"
    env = {**os.environ, "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    subprocess.run(
        ["make", "-s", "backup", f"BACKUP={backup}"],
        cwd=REPO,
        env={**env, "DATABASE_URL": source},
        check=True,
        capture_output=True,
        timeout=300,
    )
    with open(backup / "db.dump", "ab") as dump:
        dump.write(b"tampered")

    put_back = subprocess.run(
        ["make", "-s", "restore", f"BACKUP={backup}"],
        cwd=REPO,
        env={**env, "DATABASE_URL": empty_database},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert put_back.returncode != 0
    assert _rows(empty_database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [
        (0,)
    ]
