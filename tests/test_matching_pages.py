"""Pages: staff rule-set pages, htmx progress, and a proposal's results for its firm only."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from matching import selectors, services
from matching.models import RuleSet
from tests.factories import ProposalFactory


@pytest.mark.django_db
def test_fund_staff_see_the_rule_sets_and_the_finished_progress_bar(client, kdb):
    ProposalFactory(status="submitted")
    run = services.rescore_start(rule_set=selectors.active_rule_set(), enqueue=False)
    services.rescore_batch_run(batch_id=run.batches.get().pk)
    client.force_login(kdb)

    listing = client.get(reverse("matching:rule_set_list"))
    progress = client.get(reverse("matching:rule_set_progress", args=[run.rule_set_id]))

    assert listing.status_code == 200
    assert "버전 1" in listing.content.decode()
    body = progress.content.decode()
    assert 'value="100"' in body
    assert "hx-trigger" not in body  # finished: the bar stops polling


@pytest.mark.django_db
def test_applicant_cannot_see_rule_sets_or_create_drafts(client, applicant):
    client.force_login(applicant)

    assert client.get(reverse("matching:rule_set_list")).status_code == 404
    assert client.get(reverse("matching:rule_set_detail", args=[1])).status_code == 404
    assert client.post(reverse("matching:rule_set_new")).status_code == 404
    assert RuleSet.objects.count() == 1


@pytest.mark.django_db
def test_an_invalid_weight_on_the_edit_page_shows_an_error_and_saves_nothing(client, kdb):
    draft = services.rule_set_create_draft(actor=kdb)
    client.force_login(kdb)

    response = client.post(
        reverse("matching:rule_set_edit", args=[draft.pk]),
        {
            "name": "v2",
            "description": "",
            "direct-criterion-business_viability-use": "on",
            "direct-criterion-business_viability-weight": "abc",
        },
    )

    assert response.status_code == 200
    direct = response.context["editor"].channel("direct")
    assert "weight" in direct.criteria[0].errors
    draft.refresh_from_db()
    assert draft.name == RuleSet.objects.get(version=1).name


@pytest.mark.django_db
def test_applicant_sees_results_with_hints_and_other_firm_gets_404(
    client, firm, applicant, other_applicant
):
    proposal = ProposalFactory(firm=firm, status="submitted")
    services.score_proposal(proposal_id=proposal.pk)
    url = reverse("matching:proposal_results", args=[proposal.pk])

    client.force_login(applicant)
    own = client.get(url)
    client.force_login(other_applicant)
    other = client.get(url)

    assert own.status_code == 200
    assert 'data-testid="score-indirect"' in own.content.decode()
    assert "SPC 또는 JV로 구조화해 주세요" in own.content.decode()
    assert other.status_code == 404


@pytest.mark.django_db
def test_match_results_tag_loads_results_in_one_query(django_assert_num_queries, firm, applicant):
    proposal = ProposalFactory(firm=firm, status="submitted")
    services.score_proposal(proposal_id=proposal.pk)
    request = RequestFactory().get("/")
    request.user = applicant
    applicant.has_role("applicant")  # roles cached, as after the view's own checks
    template = Template("{% load matching_tags %}{% match_results proposal %}")

    with django_assert_num_queries(1):
        html = template.render(Context({"request": request, "proposal": proposal}))

    assert html.count('class="match-result"') == 4


@pytest.mark.django_db
def test_which_channel_fits_check_runs_on_a_draft_without_saving(client, draft, applicant):
    client.force_login(applicant)

    response = client.post(reverse("matching:proposal_check", args=[draft.pk]))

    assert response.status_code == 200
    assert response.content.decode().count("data-channel=") == 4
    assert draft.match_results.count() == 0


def _preview_of(draft, changes, total=17):
    from django.utils import timezone

    from matching.models import RulePreview

    return RulePreview.objects.create(
        rule_set=draft,
        base_rule_set=selectors.active_rule_set(),
        rules_hash=selectors.rules_hash(draft.rules),
        total_proposals=total,
        changes=changes,
        finished_at=timezone.now(),
    )


def _change(pk, kinds, before, after):
    return {
        "proposal": pk,
        "title": f"제안 {pk}",
        "kinds": kinds,
        "before": {"best": before},
        "after": {"best": after},
    }


@pytest.mark.django_db
def test_activation_asks_for_confirmation_with_the_previews_impact(client, kdb):
    from tests.test_layout import elements

    draft = services.rule_set_create_draft(actor=kdb)
    _preview_of(
        draft,
        [
            _change(1, ["best_channel", "eligibility"], "loan", "indirect"),
            _change(2, ["best_channel"], "loan", "indirect"),
            _change(3, ["best_channel"], None, "direct"),
            _change(4, ["score_band"], "infra", "infra"),
        ],
    )
    client.force_login(kdb)

    detail = client.get(reverse("matching:rule_set_detail", args=[draft.pk])).content.decode()
    page = client.get(reverse("matching:rule_set_activate", args=[draft.pk]))

    # the detail page's button opens the confirmation; it does not activate
    confirm = reverse("matching:rule_set_activate", args=[draft.pk])
    assert [a["attrs"]["href"] for a in elements(detail, "a") if a["attrs"].get("href") == confirm]
    assert f'action="{confirm}"' not in detail
    assert page.status_code == 200
    impact = page.context["impact"]
    assert (impact["total"], impact["changed"]) == (17, 4)
    assert [count for _label, count in impact["by_kind"]] == [3, 1, 1]
    assert impact["moves"] == [
        {"before": "loan", "after": "indirect", "count": 2},
        {"before": "", "after": "direct", "count": 1},
    ]
    html = page.content.decode()
    assert [dd["text"] for dd in elements(html, "dd", data_figure="rescored")] == ["17"]
    assert f'action="{confirm}"' in html
    draft.refresh_from_db()
    assert draft.status == "draft"  # looking at the confirmation activates nothing


@pytest.mark.django_db
def test_a_stale_or_missing_preview_says_the_impact_is_unknown(client, kdb):
    draft = services.rule_set_create_draft(actor=kdb)
    client.force_login(kdb)
    url = reverse("matching:rule_set_activate", args=[draft.pk])

    missing = client.get(url)
    preview = _preview_of(draft, [_change(1, ["best_channel"], "loan", "direct")])
    preview.rules_hash = "0" * 64
    preview.save()
    stale = client.get(url)

    assert (missing.context["impact"], stale.context["impact"]) == (None, None)
    assert "data-no-preview" in missing.content.decode()
    assert "data-no-preview" in stale.content.decode()


@pytest.mark.django_db
def test_the_confirmation_is_for_rule_managers_and_drafts_only(client, kdb, keit):
    draft = services.rule_set_create_draft(actor=kdb)
    url = reverse("matching:rule_set_activate", args=[draft.pk])
    client.force_login(keit)
    assert client.get(url).status_code == 404

    client.force_login(kdb)
    active = selectors.active_rule_set()
    response = client.get(reverse("matching:rule_set_activate", args=[active.pk]))
    assert (response.status_code, response.url) == (
        302,
        reverse("matching:rule_set_detail", args=[active.pk]),
    )


@pytest.mark.django_db
def test_the_preview_table_names_what_changes_in_words(client, kdb):
    draft = services.rule_set_create_draft(actor=kdb)
    _preview_of(draft, [_change(1, ["best_channel", "score_band"], "loan", "direct")])
    client.force_login(kdb)

    html = client.get(reverse("matching:rule_set_detail", args=[draft.pk])).content.decode()

    assert "best_channel" not in html and "score_band" not in html
    assert "<code>" not in html
