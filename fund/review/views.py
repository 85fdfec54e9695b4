"""Pages of KEIT's screening inbox, the coordination queue (both sides) and KDB's pipeline.

Each page is for one role; anyone else gets 404 (never 403, which would say the page exists).
Views read through fund.review.selectors and write through fund.review.services (and
fund.coordination.services for packets).
"""

from __future__ import annotations

import csv
import hashlib
import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.proposals.history import history_rows
from alliance.proposals.selectors import reference_lists
from fund.coordination import selectors as coordination_selectors
from fund.ministry import selectors as ministry_selectors
from fund.review import permissions as review_permissions
from fund.review import selectors
from fund.review import services as pipeline
from fund.review.forms import (
    AdvanceForm,
    AgendaMoveForm,
    AssignForm,
    BulkForm,
    CommentForm,
    DecideForm,
    FundQuestionForm,
    MeetingForm,
    PipelineFilterForm,
    ReleaseForm,
    ReopenForm,
    SavedViewForm,
    bulk_selection,
    pipeline_filter_querystring,
)
from fund.review.models import CommitteeBody, SavedView, SavedViewPage
from matching.selectors import results_for_proposal, results_from_snapshot
from portal.core.access import only_for
from portal.core.aggregate_cache import cached
from portal.core.errors import CapacityExceeded, TransitionNotAllowed
from portal.core.exports import safe_cell
from portal.core.forms import add_service_errors
from portal.core.vocabulary import ChannelCode

kdb_only = only_for(review_permissions.can_see_pipeline)


# ---------------------------------------------------------------------------------------------
# KEIT: screening inbox


# ---------------------------------------------------------------------------------------------
# Both sides: the coordination queue


# ---------------------------------------------------------------------------------------------
# KDB: the pipeline


def _pipeline_form(request):
    return PipelineFilterForm(request.GET or None, **reference_lists())


def _filters_html(request, form, *, action: str, show_sort: bool = False) -> str:
    """The pipeline's filter form, drawn. Its widgets are most of a page's rendering time, and
    a valid form is drawn the same for everyone from its filter values, the language and the
    reference lists, so it is cached under the public aggregates' version (a form with errors
    is drawn each time)."""
    context = {"form": form, "action": action, "show_sort": show_sort}

    def draw() -> str:
        return render_to_string("fund/pipeline/_filters.html", context)

    if form.is_bound and not form.is_valid():
        return draw()
    values = [(name, request.GET.getlist(name)) for name in form.fields] if form.is_bound else None
    key = json.dumps([get_language(), action, show_sort, values], sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return cached(f"pipeline-filters:{digest}", draw)  # a SafeString, cached as one


def _saved_views_context(request, page: str, save_form=None) -> dict:
    """The user's saved views (quick links) and the form that saves the current filters."""
    return {
        "saved_views": list(selectors.saved_views_for(request.user)),
        "save_form": save_form
        or SavedViewForm(initial={"page": page, "querystring": request.GET.urlencode()}),
    }


@kdb_only
def pipeline_board(request):
    """Columns = stages, cards with firm, title, requested amount, channel, score, days."""
    form = _pipeline_form(request)
    columns = selectors.pipeline_board(request.user, form.filters())
    context = {
        "form": form,
        "filters_html": _filters_html(request, form, action=reverse("pipeline:board")),
        "columns": columns,
        "now": timezone.now(),
        **_saved_views_context(request, SavedViewPage.BOARD),
    }
    return render(request, "fund/pipeline/board.html", context)


@kdb_only
def pipeline_table(request):
    """The same pipeline as a table: filter, sort by score or age, keyset pages; tick rows
    for a bulk action."""
    form = _pipeline_form(request)
    filters = form.filters()
    sort = filters.pop("sort", "score")
    rows, next_cursor = selectors.pipeline_table_page(
        request.user, filters, sort=sort, after=request.GET.get("after")
    )
    context = {
        "form": form,
        "filters_html": _filters_html(
            request, form, action=reverse("pipeline:table"), show_sort=True
        ),
        "rows": rows,
        "next_cursor": next_cursor,
        "now": timezone.now(),
        "bulk_form": BulkForm(reviewers=selectors.fund_staff()),
        "bulk_max": pipeline.BULK_MAX,
        **_saved_views_context(request, SavedViewPage.TABLE),
    }
    return render(request, "fund/pipeline/table.html", context)


EXPORT_COLUMNS = (
    ("proposal", "Proposal"),
    ("title", "Title"),
    ("firm", "Lead firm"),
    ("channel", "Channel"),
    ("score", "Score"),
    ("rule_version", "Rule version"),
    ("stage", "Stage"),
    ("decision", "Decision"),
    ("requested_krw", "Requested (KRW)"),
    ("approved_krw", "Approved (KRW)"),
    ("region", "Region"),
    ("received_at", "Received"),
    ("stage_entered_at", "In stage since"),
)


def _export_row(review) -> list:
    return [safe_cell(value) for value in _export_values(review)]


def _export_values(review) -> list:
    proposal = review.proposal
    return [
        proposal.pk,
        proposal.title,
        proposal.firm.name,
        review.channel,
        review.score,
        review.rule_version or "",
        review.stage,
        review.decision,
        review.requested_krw,
        review.approved_krw or "",
        proposal.region,
        timezone.localtime(review.received_at).isoformat(timespec="seconds"),
        timezone.localtime(review.stage_entered_at).isoformat(timespec="seconds"),
    ]


class _Echo:
    def write(self, value):
        return value


@kdb_only
def pipeline_export(request):
    """CSV (streamed) or XLSX of every row of the filtered view; codes, integer won."""
    filters = _pipeline_form(request).filters()
    sort = filters.pop("sort", "score")
    rows = selectors.pipeline_export_rows(request.user, filters, sort=sort)
    header = [label for _key, label in EXPORT_COLUMNS]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if request.GET.get("format") == "xlsx":
        # A workbook is built whole in memory; past the limit the CSV (streamed) serves.
        if selectors.pipeline_count(request.user, filters) > settings.PIPELINE_XLSX_MAX_ROWS:
            messages.error(
                request,
                _("An XLSX export holds at most %(max)s rows; narrow the filters or export CSV.")
                % {"max": f"{settings.PIPELINE_XLSX_MAX_ROWS:,}"},
            )
            return redirect(_back_to_table(request.GET.urlencode()))
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("pipeline")
        sheet.append(header)
        for review in rows:
            sheet.append(_export_row(review))
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="pipeline-{stamp}.xlsx"'
        workbook.save(response)
        return response
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so spreadsheet programs read the Korean text as UTF-8
        yield writer.writerow(header)
        for review in rows:
            yield writer.writerow(_export_row(review))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pipeline-{stamp}.csv"'
    return response


def _review_detail(
    request,
    review,
    *,
    decide_form=None,
    question_form=None,
    comment_form=None,
    reopen_form=None,
    release_form=None,
    status=200,
):
    proposal = review.proposal
    next_stage = pipeline.NEXT_STAGE.get(review.stage)
    commitment = selectors.review_commitment(review)
    context = {
        "review": review,
        "proposal": proposal,
        "referral": review.referral,
        # A decided proposal shows the results its decision was based on, frozen with it.
        "results": results_from_snapshot(review.decision_results)
        if review.decision_results
        else results_for_proposal(proposal),
        "results_frozen": bool(review.decision_results),
        "commitment": commitment,
        "reopen_form": reopen_form or ReopenForm(),
        "release_form": release_form
        or ReleaseForm(initial={"amount_krw": commitment.live_krw if commitment else None}),
        "packets": coordination_selectors.proposal_packets(proposal),
        "recommendation": ministry_selectors.recommendation_for(proposal.pk, request.user),
        "history": history_rows(proposal, request.user),
        "comments": selectors.review_comments(review),
        "comment_form": comment_form or CommentForm(),
        "agenda_items": selectors.review_agenda_items(review),
        "next_stage": next_stage,
        "next_stage_label": dict(AdvanceForm.base_fields["stage"].choices).get(next_stage),
        "decide_form": decide_form
        or DecideForm(initial={"channel": review.channel, "amount_krw": review.requested_krw}),
        "question_form": question_form or FundQuestionForm(),
        "assign_form": AssignForm(
            initial={"reviewer": review.reviewer_id}, reviewers=selectors.fund_staff()
        ),
        "now": timezone.now(),
    }
    return render(request, "fund/pipeline/detail.html", context, status=status)


@kdb_only
def pipeline_detail(request, pk):
    return _review_detail(request, selectors.review_get_for_user(request.user, pk))


@require_POST
@kdb_only
def pipeline_advance(request, pk):
    review = selectors.review_get_for_user(request.user, pk)
    form = AdvanceForm(request.POST)
    stage = form.cleaned_data["stage"] if form.is_valid() else request.POST.get("stage", "")
    try:
        pipeline.proposal_advance(proposal_id=review.proposal_id, actor=request.user, stage=stage)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The proposal moved to the next stage; KEIT is informed."))
    return redirect("pipeline:detail", pk=review.proposal_id)


@require_POST
@kdb_only
def pipeline_decide(request, pk):
    review = selectors.review_get_for_user(request.user, pk)
    form = DecideForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    if form.errors:
        return _review_detail(request, review, decide_form=form, status=400)
    try:
        pipeline.proposal_decide(
            proposal_id=review.proposal_id,
            actor=request.user,
            decision=data.get("decision", ""),
            channel=data.get("channel", ""),
            amount_krw=data.get("amount_krw"),
            conditions=data.get("conditions", ""),
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _review_detail(request, review, decide_form=form, status=400)
    except CapacityExceeded as exc:
        form.add_error("amount_krw", exc.message)
        return _review_detail(request, review, decide_form=form, status=409)
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The decision was recorded and sent to KEIT."))
    return redirect("pipeline:detail", pk=review.proposal_id)


def _review_action(request, pk, *, form, form_name: str, act, done: str):
    """What every action on the review page does with its bound form: run the service with
    the form's values, put a refusal on the form (400, the page shown again with it) or, for
    a move the stage no longer allows, in a message; then back to the review page."""
    review = selectors.review_get_for_user(request.user, pk)
    form.is_valid()
    try:
        act(review, form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _review_detail(request, review, **{form_name: form}, status=400)
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("pipeline:detail", pk=review.proposal_id)


@require_POST
@kdb_only
def pipeline_reopen(request, pk):
    return _review_action(
        request,
        pk,
        form=ReopenForm(request.POST),
        form_name="reopen_form",
        act=lambda review, data: pipeline.proposal_reopen(
            proposal_id=review.proposal_id, actor=request.user, reason=data.get("reason", "")
        ),
        done=_("The proposal is back before the investment review committee."),
    )


@require_POST
@kdb_only
def pipeline_release(request, pk):
    return _review_action(
        request,
        pk,
        form=ReleaseForm(request.POST),
        form_name="release_form",
        act=lambda review, data: pipeline.proposal_release_commitment(
            proposal_id=review.proposal_id,
            actor=request.user,
            amount_krw=data.get("amount_krw"),
            reason=data.get("reason", ""),
        ),
        done=_("The amount was released to the channel; KEIT and the applicant are told."),
    )


@require_POST
@kdb_only
def pipeline_request_info(request, pk):
    return _review_action(
        request,
        pk,
        form=FundQuestionForm(request.POST),
        form_name="question_form",
        act=lambda review, data: pipeline.proposal_request_info(
            proposal_id=review.proposal_id,
            actor=request.user,
            question=data.get("question", ""),
        ),
        done=_("Your question was sent to KEIT."),
    )


@require_POST
@kdb_only
def pipeline_assign(request, pk):
    review = selectors.review_get_for_user(request.user, pk)
    form = AssignForm(request.POST, reviewers=selectors.fund_staff())
    if not form.is_valid():
        messages.error(request, _("Choose a reviewer from the list."))
        return redirect("pipeline:detail", pk=review.proposal_id)
    try:
        pipeline.review_assign(
            proposal_id=review.proposal_id,
            actor=request.user,
            reviewer=form.cleaned_data["reviewer"],
        )
    except (ValidationError, TransitionNotAllowed) as exc:
        messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))
    else:
        messages.success(request, _("The reviewer was assigned."))
    return redirect("pipeline:detail", pk=review.proposal_id)


# ---------------------------------------------------------------------------------------------
# KDB: bulk actions on the table


def _back_to_table(querystring: str) -> str:
    clean = pipeline_filter_querystring(querystring)
    return reverse("pipeline:table") + (f"?{clean}" if clean else "")


@require_POST
@kdb_only
def pipeline_bulk(request):
    """Move the ticked proposals to a stage or assign them a reviewer, each on its own; the
    answer lists every proposal with what happened to it."""
    back = _back_to_table(request.POST.get("back", ""))
    form = BulkForm(request.POST, reviewers=selectors.fund_staff())
    items = bulk_selection(request.POST.getlist("proposals"))
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(back)
    data = form.cleaned_data
    try:
        if data["action"] == "advance":
            outcomes = pipeline.pipeline_bulk_advance(
                actor=request.user, items=items, stage=data["stage"]
            )
        else:
            outcomes = pipeline.pipeline_bulk_assign(
                actor=request.user, items=items, reviewer=data["reviewer"]
            )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    reviews = selectors.bulk_reviews(request.user, [o.proposal_id for o in outcomes])
    rows = [(outcome, reviews.get(outcome.proposal_id)) for outcome in outcomes]
    done = sum(1 for outcome in outcomes if outcome.ok)
    context = {
        "rows": rows,
        "done": done,
        "refused": len(outcomes) - done,
        "action": data["action"],
        "stage_label": dict(BulkForm.base_fields["stage"].choices).get(data.get("stage")),
        "reviewer": data.get("reviewer"),
        "back": back,
    }
    return render(request, "fund/pipeline/bulk_result.html", context)


# ---------------------------------------------------------------------------------------------
# KDB: saved views


@require_POST
@kdb_only
def saved_view_create(request):
    form = SavedViewForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    page = data.get("page") or SavedViewPage.TABLE
    target = reverse("pipeline:board" if page == SavedViewPage.BOARD else "pipeline:table")
    querystring = data.get("querystring", "")
    try:
        view = pipeline.saved_view_create(
            actor=request.user, name=data.get("name", ""), page=page, querystring=querystring
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        clean = pipeline_filter_querystring(querystring)
        return redirect(target + (f"?{clean}" if clean else ""))
    messages.success(request, _("The view “%(name)s” was saved.") % {"name": view.name})
    return redirect(target + "?" + view.querystring)


@require_POST
@kdb_only
def saved_view_delete(request, pk):
    try:
        pipeline.saved_view_delete(actor=request.user, view_id=pk)
    except SavedView.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(request, _("The saved view was deleted."))
    page = request.POST.get("page")
    return redirect("pipeline:board" if page == SavedViewPage.BOARD else "pipeline:table")


# ---------------------------------------------------------------------------------------------
# KDB: internal comments


def _comments_fragment(request, review, form, status=200):
    context = {
        "review": review,
        "comments": selectors.review_comments(review),
        "comment_form": form,
    }
    return render(request, "fund/pipeline/_comments.html", context, status=status)


@require_POST
@kdb_only
def pipeline_comment(request, pk):
    """Add a comment; htmx gets the comments section back, a plain form the detail page."""
    review = selectors.review_get_for_user(request.user, pk)
    form = CommentForm(request.POST)
    form.is_valid()
    try:
        pipeline.review_comment_add(
            proposal_id=review.proposal_id,
            actor=request.user,
            body=form.cleaned_data.get("body", ""),
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        if request.htmx:
            return _comments_fragment(request, review, form, status=400)
        return _review_detail(request, review, comment_form=form, status=400)
    except TransitionNotAllowed as exc:
        raise Http404 from exc
    if request.htmx:
        return _comments_fragment(request, review, CommentForm())
    messages.success(request, _("Your comment was added."))
    return redirect(reverse("pipeline:detail", args=[review.proposal_id]) + "#comments")


# ---------------------------------------------------------------------------------------------
# KDB: committee meetings and agendas


def _meeting_list(request, form, status=200):
    page_obj = Paginator(selectors.meetings_visible_to(request.user), selectors.MEETINGS_PER_PAGE)
    context = {"form": form, "page_obj": page_obj.get_page(request.GET.get("page"))}
    return render(request, "fund/pipeline/meeting_list.html", context, status=status)


@kdb_only
def meeting_list(request):
    """Every committee and council meeting, newest first, and the form for a new one."""
    return _meeting_list(request, MeetingForm())


@require_POST
@kdb_only
def meeting_create(request):
    form = MeetingForm(request.POST)
    if not form.is_valid():
        return _meeting_list(request, form, status=400)
    try:
        meeting = pipeline.committee_meeting_create(actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _meeting_list(request, form, status=400)
    messages.success(request, _("The meeting was created. Add proposals to its agenda."))
    return redirect("pipeline:meeting_detail", pk=meeting.pk)


@kdb_only
def meeting_detail(request, pk):
    """The agenda in order (move up/down, remove) and the proposals that could join it."""
    meeting = selectors.meeting_get_for_user(request.user, pk)
    context = {
        "meeting": meeting,
        "rows": selectors.agenda_rows(meeting),
        "candidates": selectors.agenda_candidates(meeting),
        "candidates_max": selectors.CANDIDATES_MAX,
        "now": timezone.now(),
    }
    return render(request, "fund/pipeline/meeting_detail.html", context)


def _titles(user, proposal_ids) -> dict[int, str]:
    return {
        pk: review.proposal.title
        for pk, review in selectors.bulk_reviews(user, proposal_ids).items()
    }


@require_POST
@kdb_only
def agenda_add(request, pk):
    """Put the ticked proposals on the agenda in the order ticked; name each one refused."""
    meeting = selectors.meeting_get_for_user(request.user, pk)
    ids = [proposal_id for proposal_id, _v in bulk_selection(request.POST.getlist("proposals"))]
    try:
        outcomes = pipeline.agenda_add_many(
            meeting_id=meeting.pk, proposal_ids=ids, actor=request.user
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("pipeline:meeting_detail", pk=meeting.pk)
    titles = _titles(request.user, [o.proposal_id for o in outcomes])
    added = sum(1 for outcome in outcomes if outcome.ok)
    if added:
        messages.success(
            request,
            ngettext(
                "%(n)d proposal was put on the agenda.",
                "%(n)d proposals were put on the agenda.",
                added,
            )
            % {"n": added},
        )
    for outcome in outcomes:
        if not outcome.ok:
            messages.error(
                request,
                _("Not added: %(title)s — %(reason)s")
                % {
                    "title": titles.get(outcome.proposal_id, f"#{outcome.proposal_id}"),
                    "reason": outcome.message,
                },
            )
    return redirect("pipeline:meeting_detail", pk=meeting.pk)


@require_POST
@kdb_only
def agenda_move(request, pk):
    """Move one agenda item up or down one place."""
    meeting = selectors.meeting_get_for_user(request.user, pk)
    form = AgendaMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an item on the agenda to move."))
        return redirect("pipeline:meeting_detail", pk=meeting.pk)
    order = [row.item.review_id for row in selectors.agenda_rows(meeting)]
    proposal_id = form.cleaned_data["proposal"]
    if proposal_id not in order:
        messages.error(request, _("This proposal is not on this agenda."))
        return redirect("pipeline:meeting_detail", pk=meeting.pk)
    at = order.index(proposal_id)
    to = at - 1 if form.cleaned_data["direction"] == "up" else at + 1
    if 0 <= to < len(order):
        order[at], order[to] = order[to], order[at]
        try:
            pipeline.agenda_reorder(meeting_id=meeting.pk, actor=request.user, proposal_ids=order)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect(reverse("pipeline:meeting_detail", args=[meeting.pk]) + "#agenda")


@require_POST
@kdb_only
def agenda_remove(request, pk):
    meeting = selectors.meeting_get_for_user(request.user, pk)
    ids = bulk_selection([request.POST.get("proposal", "")])
    try:
        if not ids:
            raise TransitionNotAllowed(_("This proposal is not on this agenda."))
        pipeline.agenda_remove(meeting_id=meeting.pk, proposal_id=ids[0][0], actor=request.user)
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The proposal was taken off the agenda."))
    return redirect(reverse("pipeline:meeting_detail", args=[meeting.pk]) + "#agenda")


@kdb_only
def agenda_print(request, pk):
    """The agenda as a printable page (A4 landscape)."""
    meeting = selectors.meeting_get_for_user(request.user, pk)
    context = {
        "meeting": meeting,
        "rows": selectors.agenda_rows(meeting),
        "channels": ChannelCode.choices,
        "printed_at": timezone.now(),
    }
    return render(request, "fund/pipeline/agenda_print.html", context)


def _agenda_header() -> list[str]:
    return [
        _("No."),
        _("Lead firm"),
        _("Title"),
        _("Channel"),
        _("Requested (KRW)"),
        _("Best score"),
        _("Best channel"),
        *[str(label) for _code, label in ChannelCode.choices],
        _("Days in stage"),
        _("Reviewer"),
        _("KEIT note"),
        _("Summary"),
    ]


def _agenda_values(row) -> list:
    review = row.review
    return [
        row.item.position,
        row.proposal.firm.name,
        row.proposal.title,
        str(ChannelCode(review.channel).label),
        review.requested_krw,
        row.best_score,
        str(ChannelCode(row.best_channel).label) if row.best_channel else "",
        *[score for _code, score, _eligible in row.scores],
        review.days_in_stage,
        review.reviewer.get_username() if review.reviewer else "",
        review.keit_note,
        row.summary,
    ]


AGENDA_REQUESTED_COLUMN = 5  # 1-based: the won amount gets a thousands format


@kdb_only
def agenda_xlsx(request, pk):
    """The agenda as a spreadsheet: a title line, then one row per proposal in agenda order."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    meeting = selectors.meeting_get_for_user(request.user, pk)
    rows = selectors.agenda_rows(meeting)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Agenda")[:31]
    when = timezone.localtime(meeting.meets_at)
    heading = " · ".join(
        part
        for part in (
            str(CommitteeBody(meeting.body).label),
            when.strftime("%Y-%m-%d %H:%M"),
            meeting.title,
            meeting.location,
        )
        if part
    )
    sheet.append([safe_cell(heading)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append(_agenda_header())
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(value) for value in _agenda_values(row)])
        sheet.cell(row=sheet.max_row, column=AGENDA_REQUESTED_COLUMN).number_format = "#,##0"
    sheet.freeze_panes = "A4"
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = when.strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="agenda-{meeting.body}-{stamp}-{meeting.pk}.xlsx"'
    )
    workbook.save(response)
    return response
