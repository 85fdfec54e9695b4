import shutil

import pytest
from django.conf import settings

from portal.core.vocabulary import Role
from tests.factories import ApplicantFactory, FirmFactory, ProposalFactory, UserFactory

# The real-worker fixtures (celery_worker, celery_worker_factory) for every test module.
pytest_plugins = ["tests.celery_worker"]


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    """Uploaded files go to a per-test folder, so a test can count exactly what was stored."""
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture(autouse=True)
def _fact_registry(request):
    """Every page reads the public facts from one cached snapshot (fund.site.facts), which a
    page never stores from inside an atomic block. A test that uses the database starts with
    the snapshot of its own database, so a page's queries do not depend on what ran before."""
    if "_django_db_helper" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("_django_db_helper")
        from fund.site.facts import registry_store

        registry_store()
    yield


@pytest.fixture
def firm(db):
    return FirmFactory(name="현대자동차")


@pytest.fixture
def other_firm(db):
    return FirmFactory(name="두산로보틱스")


@pytest.fixture
def applicant(firm):
    return ApplicantFactory(firm=firm, username="applicant")


@pytest.fixture
def other_applicant(other_firm):
    return ApplicantFactory(firm=other_firm, username="applicant2")


@pytest.fixture
def keit(db):
    return UserFactory(username="keit", role=Role.ALLIANCE_SECRETARIAT)


@pytest.fixture
def kdb(db):
    return UserFactory(username="kdb", role=Role.FUND_SECRETARIAT)


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", role=Role.SITE_EDITOR)


@pytest.fixture
def draft(firm, applicant):
    return ProposalFactory(firm=firm, created_by=applicant)


@pytest.fixture
def other_draft(other_firm, other_applicant):
    return ProposalFactory(firm=other_firm, created_by=other_applicant, title="타사 제안")


assert settings.SETTINGS_MODULE == "portal.settings.test"
