"""Activating a rule set in a real browser: fund staff edit one weight of a new draft with the
rule editor, preview it, activate it, and watch the htmx progress bar move while a real worker
rescores 10,000 submitted proposals batch by batch.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from matching.models import RescoreRun, RuleSet
from matching.selectors import scoreable_proposals
from tests.celery_worker import CeleryWorker
from tests.e2e.helpers import Shots, in_db, reload_until, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

GENERATED = 10_000
WORKER_TIMEOUT = 120.0
MID_PROGRESS_SHOT = Path(tempfile.gettempdir()) / "rescore_progress.png"
PROGRESS_LINE = re.compile(r'data-done="(\d+)" data-total="(\d+)"')

expect.set_options(timeout=10_000)


@pytest.fixture
def many_proposals(demo_world) -> int:
    """10,000 generated submitted proposals on top of the demo world, before the worker starts."""
    call_command("generate_proposals", "--count", str(GENERATED), stdout=open(os.devnull, "w"))
    return GENERATED


@pytest.fixture
def worker(celery_worker_factory, many_proposals, live_server, mail_dir) -> CeleryWorker:
    """One worker process (one child): the rescore's batches are taken one at a time, as on a
    small production host, so the progress has steps a person can see."""
    return celery_worker_factory(
        concurrency=1,
        env={
            "DJANGO_SETTINGS_MODULE": "tests.e2e.worker_settings",
            "EMAIL_FILE_PATH": str(mail_dir),
            "SITE_URL": live_server.url,
        },
    )


def test_fund_staff_activate_an_edited_draft_and_watch_the_rescore_progress(
    many_proposals, browser_page, live_server
):
    page, base, shot = browser_page, live_server.url, Shots("4-rescore-progress")
    page: Page
    scoreable = in_db(lambda: scoreable_proposals().count())
    assert scoreable >= GENERATED

    # Given fund staff on the active rule set's page
    sign_in(page, base, "kdb")
    active = in_db(lambda: RuleSet.objects.get(status="active").pk)
    page.goto(f"{base}/matching/rules/{active}/")

    # When they start a new draft from it, they land on the editor with every channel's sum 100
    with page.expect_navigation():
        page.locator("form[action$='/rules/new/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/matching/rules/\d+/edit/$"))
    draft = int(re.search(r"/rules/(\d+)/edit/", page.url).group(1))
    for code in ("direct", "indirect", "loan", "infra"):
        expect(page.locator(f"[data-testid=weight-sum-{code}]")).to_have_attribute(
            "data-total", "100"
        )

    # When they raise one weight, the live sum (answered by the server) shows 105 …
    page.fill("#id_direct-criterion-business_viability-weight", "30")
    expect(page.locator("[data-testid=weight-sum-direct]")).to_have_attribute("data-total", "105")
    shot(page, "editor-sum-105")
    # … and back at 100 once they lower another, and the draft saves
    page.fill("#id_direct-criterion-financial_structure-weight", "20")
    expect(page.locator("[data-testid=weight-sum-direct]")).to_have_attribute("data-total", "100")
    with page.expect_navigation():
        page.locator("form.portal-rule-editor button[type=submit]").click()
    expect(page).to_have_url(f"{base}/matching/rules/{draft}/")
    saved = in_db(lambda: RuleSet.objects.get(pk=draft).rules["channels"]["direct"]["criteria"])
    assert [c["weight"] for c in saved] == [30, 20, 20, 20, 10]

    # When they preview it, the worker says how many proposals would change
    with page.expect_navigation():
        page.locator("form[action$='/preview/'] button[type=submit]").click()
    preview = page.locator("section[aria-labelledby=preview-heading]")
    reload_until(page, lambda: preview.locator("table").count() == 1, timeout=WORKER_TIMEOUT)
    expect(preview).to_contain_text(
        re.compile(rf"제안서 {scoreable}건 중 \d+건의 결과가 달라집니다\.")
    )
    shot(page, "preview")

    # When they activate it, a confirmation first shows the preview's impact
    with page.expect_navigation():
        page.locator("a[href$='/activate/']").click()
    expect(page.locator("[data-figure=rescored]")).to_have_text(str(scoreable))
    shot(page, "activation-confirmation")
    with page.expect_navigation():
        page.locator("form[action$='/activate/'] button[type=submit]").click()
    bar = page.locator("[data-testid=rescore-bar]")
    expect(bar).to_be_visible()

    # Then the bar the page polls moves through values below 100 to 100; the progress line
    # the page shows is also read straight from its endpoint, often, in case the worker is
    # quicker than the page's one-second poll.
    progress_url = f"{base}/matching/rules/{draft}/progress/"
    bar_values: list[int] = []
    endpoint: list[tuple[int, int]] = []
    mid_shot_taken = False
    deadline = time.monotonic() + WORKER_TIMEOUT
    while True:
        value = int(bar.get_attribute("value"))
        if not bar_values or bar_values[-1] != value:
            bar_values.append(value)
        if 0 < value < 100 and not mid_shot_taken:
            page.screenshot(path=str(MID_PROGRESS_SHOT), full_page=False, animations="disabled")
            mid_shot_taken = True
        answer = page.request.get(progress_url)
        assert answer.status == 200
        done, of = PROGRESS_LINE.search(answer.text()).groups()
        endpoint.append((int(done), int(of)))
        if value == 100:
            break
        assert time.monotonic() < deadline, f"the bar stopped at {bar_values}"
        time.sleep(0.1)

    run = in_db(
        lambda: RescoreRun.objects.filter(rule_set_id=draft).values(
            "total_proposals", "finished_at"
        )[0]
    )
    total = run["total_proposals"]
    assert total == scoreable
    assert run["finished_at"] is not None
    assert bar_values == sorted(bar_values)  # never goes back
    assert bar_values[-1] == 100
    below = [v for v in bar_values if v < 100]
    partial = [done for done, of in endpoint if 0 < done < total and of == total]
    # The bar itself showed two values below 100, or (a very fast worker) the page's progress
    # line was caught part-way at least once.
    assert len(below) >= 2 or partial, (bar_values, endpoint)
    assert endpoint[-1] == (total, total)
    expect(page.locator("#rescore-progress")).not_to_have_attribute("hx-trigger", "every 1s")
    if not mid_shot_taken:
        page.screenshot(path=str(MID_PROGRESS_SHOT), full_page=False, animations="disabled")
    shot(page, "rescore-finished")
