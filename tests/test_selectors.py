"""Reads are restricted to the user before anything else (alliance.proposals.selectors)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.http import Http404

from alliance.documents.selectors import document_get_for_user
from alliance.firms.selectors import firms_visible_to
from alliance.models import ProposalDocument, ProposalPartner
from alliance.proposals.selectors import (
    proposal_get_for_user,
    proposal_list_for_workspace,
    proposals_visible_to,
)
from portal.core.vocabulary import ProposalStatus
from tests.factories import ApplicantFactory, FirmFactory, ProposalFactory, UserFactory

BAD_IDS = ["abc", "", "1.5", "1e3", "-1", "0", "9" * 30, str(2**63), 2**80, None, True, 1.0]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


@pytest.fixture
def world(draft, other_draft, firm, other_firm):
    """Proposals in every status, led by a third firm, and one with the applicant as partner."""
    third = FirmFactory(name="세번째기업")
    by_status = {
        status: ProposalFactory(firm=third, status=status, title=f"제3사 {status}")
        for status in ProposalStatus.values
    }
    partnered = ProposalFactory(firm=other_firm, title="컨소시엄 제안")
    ProposalPartner.objects.create(proposal=partnered, firm=firm)
    return {"own": draft, "other": other_draft, "partnered": partnered, **by_status}


def _document(proposal) -> ProposalDocument:
    document = ProposalDocument(
        proposal=proposal,
        kind="other",
        original_name="plan.pdf",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
    )
    document.file.save("plan.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return document


@pytest.mark.django_db
def test_an_applicant_sees_their_firms_proposals_and_those_they_partner_in(applicant, world):
    assert _ids(proposals_visible_to(applicant)) == {world["own"].pk, world["partnered"].pk}
    assert _ids(proposal_list_for_workspace(applicant)) == {
        world["own"].pk,
        world["partnered"].pk,
    }


@pytest.mark.django_db
def test_a_partner_sees_the_proposal_but_the_lead_firm_does_not_see_the_partners_own(
    other_applicant, world
):
    assert _ids(proposals_visible_to(other_applicant)) == {
        world["other"].pk,
        world["partnered"].pk,
    }


@pytest.mark.django_db
def test_an_applicant_gets_404_for_another_firms_proposal(applicant, world):
    for key in ["other", *ProposalStatus.values]:
        with pytest.raises(Http404):
            proposal_get_for_user(applicant, world[key].pk)
        with pytest.raises(Http404):
            proposal_get_for_user(applicant, str(world[key].pk))


@pytest.mark.django_db
def test_an_applicant_gets_their_own_and_their_partnered_proposal(applicant, world):
    assert proposal_get_for_user(applicant, world["own"].pk) == world["own"]
    assert proposal_get_for_user(applicant, str(world["partnered"].pk)) == world["partnered"]


@pytest.mark.django_db
@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_a_malformed_or_huge_id_is_a_404_not_an_error(applicant, keit, world, bad_id):
    for user in (applicant, keit):
        with pytest.raises(Http404):
            proposal_get_for_user(user, bad_id)
        with pytest.raises(Http404):
            document_get_for_user(user, bad_id)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "spell",
    [
        lambda pk: f" {pk} ",
        lambda pk: f"+{pk}",
        lambda pk: f"{pk}\n",
        lambda pk: str(pk).translate(FULL_WIDTH),
    ],
    ids=["padded", "signed", "newline", "full-width"],
)
def test_only_plain_ascii_digits_name_an_id(applicant, draft, spell):
    # int() would read each of these as the draft's id; a URL or payload spelling it so is not.
    with pytest.raises(Http404):
        proposal_get_for_user(applicant, spell(draft.pk))

    assert proposal_get_for_user(applicant, str(draft.pk)) == draft


@pytest.mark.django_db
def test_a_deleted_id_is_a_404(applicant, keit):
    with pytest.raises(Http404):
        proposal_get_for_user(keit, 10**9)


@pytest.mark.django_db
def test_keit_sees_every_submitted_proposal_but_no_firms_draft(keit, world):
    assert _ids(proposals_visible_to(keit)) == {
        world[status].pk
        for status in ("submitted", "info_requested", "referred", "in_review", "decided")
    }
    assert proposal_get_for_user(keit, world["referred"].pk) == world["referred"]
    # drafts, and a draft withdrawn before it was ever submitted, stay the firm's own
    for key in ("own", "other", "partnered", "draft", "withdrawn"):
        with pytest.raises(Http404):
            proposal_get_for_user(keit, world[key].pk)


@pytest.mark.django_db
def test_kdb_sees_only_what_was_referred_and_what_followed(kdb, world):
    assert _ids(proposals_visible_to(kdb)) == {
        world["referred"].pk,
        world["in_review"].pk,
        world["decided"].pk,
    }
    assert proposal_get_for_user(kdb, world["in_review"].pk) == world["in_review"]
    for key in ("draft", "submitted", "info_requested", "withdrawn", "other"):
        with pytest.raises(Http404):
            proposal_get_for_user(kdb, world[key].pk)


@pytest.mark.django_db
def test_the_site_editor_and_anonymous_see_no_proposal(editor, world):
    for user in (editor, AnonymousUser()):
        assert _ids(proposals_visible_to(user)) == set()
        assert _ids(firms_visible_to(user)) == set()
        with pytest.raises(Http404):
            proposal_get_for_user(user, world["own"].pk)


@pytest.mark.django_db
def test_a_user_with_the_applicant_role_but_no_firm_sees_nothing(world):
    stray = UserFactory(role="applicant")

    assert _ids(proposals_visible_to(stray)) == set()


@pytest.mark.django_db
def test_a_superuser_sees_everything(world):
    admin = UserFactory(is_superuser=True, is_staff=True)

    assert len(_ids(proposals_visible_to(admin))) == 10


@pytest.mark.django_db
def test_a_document_is_visible_exactly_when_its_proposal_is(
    applicant, other_applicant, keit, kdb, editor, world
):
    own = _document(world["own"])
    partnered = _document(world["partnered"])
    others = _document(world["other"])
    referred = _document(world["referred"])

    assert document_get_for_user(applicant, own.pk) == own
    assert document_get_for_user(applicant, str(partnered.pk)) == partnered
    assert document_get_for_user(other_applicant, partnered.pk) == partnered
    assert document_get_for_user(keit, referred.pk) == referred
    assert document_get_for_user(kdb, referred.pk) == referred
    refused = [
        (keit, others),
        (applicant, others),
        (applicant, referred),
        (other_applicant, own),
        (kdb, own),
        (editor, own),
        (AnonymousUser(), own),
    ]
    for user, document in refused:
        with pytest.raises(Http404):
            document_get_for_user(user, document.pk)


@pytest.mark.django_db
def test_an_applicant_sees_only_their_own_firm_in_the_registry(applicant, firm, other_firm, keit):
    assert _ids(firms_visible_to(applicant)) == {firm.pk}
    assert _ids(firms_visible_to(keit)) == {firm.pk, other_firm.pk}


@pytest.mark.django_db
def test_another_firms_applicant_list_is_the_same_size_whatever_others_hold(world):
    newcomer = ApplicantFactory()

    assert proposals_visible_to(newcomer).count() == 0
    assert proposal_list_for_workspace(newcomer).count() == 0
