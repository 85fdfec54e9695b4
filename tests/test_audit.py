"""The audit log is append-only, in code and in the admin."""

import pytest
from django.contrib import admin
from django.db import transaction
from django.db.models import ProtectedError
from django.test import RequestFactory

from alliance.admin import AuditLogAdmin
from alliance.models import AuditLog, AuditLogImmutable, Proposal
from alliance.proposals.services import proposal_submit
from tests.factories import UserFactory


@pytest.fixture
def entry(draft, applicant) -> AuditLog:
    proposal_submit(proposal_id=draft.pk, actor=applicant)
    return AuditLog.objects.get()


def _rows() -> list[dict]:
    return list(AuditLog.objects.order_by("id").values())


@pytest.mark.django_db
def test_saving_an_existing_row_is_refused(entry):
    before = _rows()
    entry.note = "고쳐 쓴 기록"

    with pytest.raises(AuditLogImmutable):
        entry.save()

    assert _rows() == before


@pytest.mark.django_db
def test_saving_a_row_loaded_again_is_refused_even_with_update_fields(entry):
    before = _rows()
    reloaded = AuditLog.objects.get(pk=entry.pk)
    reloaded.action = "proposal.approve"

    with pytest.raises(AuditLogImmutable):
        reloaded.save(update_fields=["action"])

    assert _rows() == before


@pytest.mark.django_db
def test_deleting_a_row_is_refused(entry):
    before = _rows()

    with pytest.raises(AuditLogImmutable):
        entry.delete()

    assert _rows() == before


@pytest.mark.django_db
def test_queryset_update_and_delete_are_refused(entry):
    before = _rows()

    with pytest.raises(AuditLogImmutable):
        AuditLog.objects.filter(pk=entry.pk).update(note="x")
    with pytest.raises(AuditLogImmutable):
        AuditLog.objects.all().delete()
    with pytest.raises(AuditLogImmutable):
        AuditLog.objects.update(action="x")
    # bulk_update runs inside its own atomic block; give it a savepoint to abandon
    with pytest.raises(AuditLogImmutable), transaction.atomic():
        AuditLog.objects.bulk_update([entry], ["note"])

    assert _rows() == before


@pytest.mark.django_db
def test_a_proposal_with_history_cannot_be_deleted_and_keeps_its_history(draft, entry):
    before = _rows()

    with pytest.raises(ProtectedError):
        Proposal.objects.get(pk=draft.pk).delete()

    assert Proposal.objects.filter(pk=draft.pk).count() == 1
    assert _rows() == before


@pytest.mark.django_db
def test_the_admin_offers_no_add_change_or_delete_even_to_a_superuser(entry):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    request = RequestFactory().get("/admin/alliance/auditlog/")
    request.user = superuser
    model_admin = AuditLogAdmin(AuditLog, admin.site)

    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_change_permission(request, entry) is False
    assert model_admin.has_delete_permission(request) is False
    assert model_admin.has_delete_permission(request, entry) is False
    assert model_admin.has_view_permission(request, entry) is True
    assert "delete_selected" not in model_admin.get_actions(request)


@pytest.mark.django_db
def test_the_registered_admin_is_the_read_only_one():
    assert type(admin.site._registry[AuditLog]) is AuditLogAdmin
