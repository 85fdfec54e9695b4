"""Rule-set changes at the same moment: two drafts activated at once both succeed one after
the other (exactly one set is active at the end, the first activated is retired), and drafts
created at once get distinct versions. Neither ever answers a 500; a draft based on a rule
set that does not exist is refused with a message."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from matching import services
from matching.models import RuleSet, RuleSetStatus
from portal.core.vocabulary import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _at_once(calls) -> list:
    """Run the calls in threads released together; each result, or the exception raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # the test asserts there is none
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_drafts_activated_at_the_same_moment_leave_exactly_one_active():
    kdb = UserFactory(username="kdb-rules", role=Role.FUND_SECRETARIAT)
    first = services.rule_set_create_draft(actor=kdb)
    second = services.rule_set_create_draft(actor=kdb)

    results = _at_once(
        [
            lambda: services.rule_set_activate(rule_set_id=first.pk, actor=kdb),
            lambda: services.rule_set_activate(rule_set_id=second.pk, actor=kdb),
        ]
    )

    assert [type(r).__name__ for r in results] == ["RescoreRun", "RescoreRun"]
    statuses = dict(
        RuleSet.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "status")
    )
    assert sorted(statuses.values()) == [RuleSetStatus.ACTIVE, RuleSetStatus.RETIRED]
    assert RuleSet.objects.filter(status=RuleSetStatus.ACTIVE).count() == 1


def test_drafts_created_at_the_same_moment_get_distinct_versions():
    kdb = UserFactory(username="kdb-drafts", role=Role.FUND_SECRETARIAT)
    before = set(RuleSet.objects.values_list("version", flat=True))

    results = _at_once([lambda: services.rule_set_create_draft(actor=kdb) for _ in range(4)])

    assert [type(r).__name__ for r in results] == ["RuleSet"] * 4
    versions = set(RuleSet.objects.values_list("version", flat=True)) - before
    assert len(versions) == 4
    assert max(versions) == max(before) + 4


def test_a_draft_based_on_a_rule_set_that_does_not_exist_is_refused_on_the_page(client, settings):
    kdb = UserFactory(username="kdb-page", role=Role.FUND_SECRETARIAT)
    client.force_login(kdb)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    before = RuleSet.objects.count()

    response = client.post(reverse("matching:rule_set_new"), {"based_on": "987654"}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("matching:rule_set_list"), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "이 번호의 매칭 규칙이 없어 초안을 만들 수 없습니다."
    ]
    assert RuleSet.objects.count() == before
