"""Two colleagues of one firm edit the same proposal through the pages, each in their own
browser with the version their page was loaded at: the second save is refused (409) with their
typed values kept on screen, and the first save is what is stored. Nothing is lost silently.

One editor saving twice with a stale page is in tests/test_pages_proposals.py; this file adds
two people, and two saves arriving at the same moment.
"""

import re
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from alliance.models import AuditLog, Proposal
from tests.factories import ApplicantFactory

pytestmark = pytest.mark.django_db(transaction=True)

STALE = "Someone else saved this proposal after you opened it."


def _browser(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # assertions read the English msgids
    client.force_login(user)
    return client


def _open_step_1(client, proposal) -> dict:
    """Load step 1 like a browser and return the form as it would be posted back."""
    html = client.get(reverse("alliance:proposal_edit", args=[proposal.pk, 1])).content.decode()
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    return {
        "version": version,
        "title": proposal.title,
        "summary": proposal.summary,
        "sub_alliance": str(proposal.sub_alliance_id),
        "industry": str(proposal.industry_id),
        "project_type": proposal.project_type,
        "ai_related": "on" if proposal.ai_related else "",
    }


def _stored(proposal) -> tuple:
    row = Proposal.objects.get(pk=proposal.pk)
    return (row.title, row.summary, row.version)


def test_the_colleague_who_saves_second_is_refused_and_the_first_save_is_kept(
    applicant, firm, draft
):
    colleague = ApplicantFactory(firm=firm, username="colleague")
    mine, theirs = _browser(applicant), _browser(colleague)
    # Given both opened step 1 of the same version.
    my_form, their_form = _open_step_1(mine, draft), _open_step_1(theirs, draft)
    assert my_form["version"] == their_form["version"] == str(draft.version)

    # When the applicant saves first, then the colleague saves their own changes.
    first = mine.post(
        reverse("alliance:proposal_edit", args=[draft.pk, 1]), {**my_form, "title": "먼저 저장"}
    )
    second = theirs.post(
        reverse("alliance:proposal_edit", args=[draft.pk, 1]),
        {**their_form, "title": "나중에 저장", "summary": "동료가 고친 요약"},
    )

    # Then the second save is refused with what they typed still on screen, and the stored
    # proposal is the first save: nothing of the second was written.
    assert first.status_code == 302
    assert second.status_code == 409
    html = second.content.decode()
    assert STALE in html
    assert 'value="나중에 저장"' in html
    assert "동료가 고친 요약" in html
    assert _stored(draft) == ("먼저 저장", draft.summary, draft.version + 1)
    assert list(
        AuditLog.objects.filter(proposal_id=draft.pk, action="proposal.update").values_list(
            "actor__username", flat=True
        )
    ) == ["applicant"]


def test_two_saves_of_the_same_version_at_the_same_moment_store_exactly_one(applicant, firm, draft):
    colleague = ApplicantFactory(firm=firm, username="colleague")
    people = {"applicant": _browser(applicant), "colleague": _browser(colleague)}
    forms = {name: _open_step_1(client, draft) for name, client in people.items()}
    titles = {"applicant": "신청자의 제목", "colleague": "동료의 제목"}
    statuses: dict[str, int] = {}
    barrier = threading.Barrier(2)

    def save(name: str) -> None:
        try:
            barrier.wait()
            response = people[name].post(
                reverse("alliance:proposal_edit", args=[draft.pk, 1]),
                {**forms[name], "title": titles[name]},
            )
            statuses[name] = response.status_code
        finally:
            connection.close()

    # When both press save at once.
    threads = [threading.Thread(target=save, args=(name,)) for name in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then one is saved and the other refused, and what is stored is the one that was saved.
    assert sorted(statuses.values()) == [302, 409]
    winner = next(name for name, status in statuses.items() if status == 302)
    assert _stored(draft) == (titles[winner], draft.summary, draft.version + 1)
    assert list(
        AuditLog.objects.filter(proposal_id=draft.pk, action="proposal.update").values_list(
            "actor__username", flat=True
        )
    ) == [winner]
