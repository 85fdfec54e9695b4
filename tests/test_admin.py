"""The admin goes through the rules the services keep: state and money are read-only there,
every admin write leaves an audit row, its actions call the services, and the role groups
hold no model permissions (the portal checks roles itself)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from alliance.models import AuditLog, Proposal
from fund.capacity.models import Channel
from portal.core.vocabulary import FirmStatus, Role
from tests.factories import FirmFactory, ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages in the English msgids


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _form_data(page) -> dict:
    """What the change form would post as it stands: its fields and its inlines' forms."""
    data = {}
    form = page.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = "" if value is None else value
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for subform in formset.forms:
            for name in subform.fields:
                value = subform[name].value()
                data[f"{subform.prefix}-{name}"] = "" if value is None else value
    return data


def _post_change(client, url: str, **changes):
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, {**_form_data(page), **changes})


def test_the_role_groups_hold_no_model_permissions():
    groups = Group.objects.filter(name__in=Role.values)

    assert groups.count() == len(Role.values)
    assert Permission.objects.filter(group__in=groups).count() == 0


def test_a_firms_status_cannot_be_changed_in_the_admin_and_a_correction_is_audited(
    admin_client,
):
    firm = FirmFactory(name="현대자동차", status=FirmStatus.PENDING)
    url = reverse("admin:alliance_firm_change", args=[firm.pk])

    response = _post_change(admin_client, url, name="현대자동차(주)", status=FirmStatus.SUSPENDED)

    assert response.status_code == 302
    firm.refresh_from_db()
    assert (firm.name, firm.status) == ("현대자동차(주)", FirmStatus.PENDING)
    entry = AuditLog.objects.get(action="admin.change")
    assert (entry.actor.username, entry.object_id, entry.data) == (
        "root",
        str(firm.pk),
        {"fields": ["name"]},
    )


def test_the_verify_action_verifies_through_the_service_for_keit_staff(client):
    keit_admin = UserFactory(
        username="keit-root", role=Role.ALLIANCE_SECRETARIAT, is_staff=True, is_superuser=True
    )
    client.force_login(keit_admin)
    admin_client = client
    pending = FirmFactory(name="대기 기업", status=FirmStatus.PENDING)
    active = FirmFactory(name="활동 기업", status=FirmStatus.ACTIVE)

    response = admin_client.post(
        reverse("admin:alliance_firm_changelist"),
        {"action": "verify", "index": 0, "_selected_action": [pending.pk, active.pk]},
    )

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == FirmStatus.ACTIVE
    assert pending.verified_by.username == "keit-root"
    assert list(
        AuditLog.objects.filter(action="firm.verify").values_list("object_id", flat=True)
    ) == [str(pending.pk)]


def test_a_proposal_is_read_only_in_the_admin(admin_client):
    proposal = ProposalFactory(requested_krw=100_000_000_000)
    url = reverse("admin:alliance_proposal_change", args=[proposal.pk])
    other = FirmFactory(name="다른 기업")

    page = admin_client.get(url)
    response = admin_client.post(url, {"firm": other.pk, "requested_krw": 1})

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert (proposal.firm_id, proposal.requested_krw) != (other.pk, 1)
    assert Proposal.objects.get(pk=proposal.pk).requested_krw == 100_000_000_000


def test_a_channels_size_cannot_be_changed_in_the_admin_and_a_correction_is_audited(
    admin_client,
):
    channel = Channel.objects.get(code="loan")
    size = channel.size_krw
    url = reverse("admin:fund_channel_change", args=[channel.pk])

    response = _post_change(admin_client, url, name_en="Ultra-low-rate loans (KDB)", size_krw=1)

    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.name_en, channel.size_krw) == ("Ultra-low-rate loans (KDB)", size)
    entry = AuditLog.objects.get(action="admin.change", object_type="channel")
    assert entry.data == {"fields": ["name_en"]}


def test_the_verify_action_refuses_anyone_the_service_refuses(admin_client):
    pending = FirmFactory(name="대기 기업", status=FirmStatus.PENDING)

    response = admin_client.post(
        reverse("admin:alliance_firm_changelist"),
        {"action": "verify", "index": 0, "_selected_action": [pending.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["Only KEIT staff can verify firms."]
    pending.refresh_from_db()
    assert pending.status == FirmStatus.PENDING
    assert not AuditLog.objects.filter(action="firm.verify").exists()
