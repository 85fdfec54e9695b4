"""Pages of KEIT's screening inbox, the coordination queue (both sides) and KDB's pipeline.

Each page is for one role; anyone else gets 404 (never 403, which would say the page exists).
Views read through fund.pipeline_selectors and write through fund.coordination / fund.pipeline.
"""

from __future__ import annotations

import csv
import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.forms.accounts import add_service_errors
from alliance.models import Industry, SubAlliance
from alliance.services import TransitionNotAllowed
from matching.selectors import results_for_proposal

from . import coordination, pipeline
from . import pipeline_selectors as selectors
from .models import Decision, PacketState
from .pipeline_forms import (
    AdvanceForm,
    AssignForm,
    DecideForm,
    FundQuestionForm,
    PacketFilterForm,
    PipelineFilterForm,
    ReferForm,
    ScreeningFilterForm,
)
from .services import CapacityExceeded

SCREENING_PAGE_SIZE = 50
MAX_BULK = 200


def _only(check):
    """Signed-out visitors sign in; a signed-in user without the role gets 404."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not check(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


keit_only = _only(selectors.can_screen)
kdb_only = _only(selectors.can_see_pipeline)
queue_only = _only(coordination.can_see_queue)


def _reference_lists() -> dict:
    return {
        "sub_alliances": list(SubAlliance.objects.order_by("order")),
        "industries": list(Industry.objects.order_by("order")),
    }


# ---------------------------------------------------------------------------------------------
# KEIT: screening inbox


@keit_only
def screening_list(request):
    """Submitted proposals with their best channel and score; filters; bulk referral."""
    form = ScreeningFilterForm(request.GET or None, **_reference_lists())
    proposals = selectors.screening_queryset(request.user, form.filters())
    page_obj = Paginator(proposals, SCREENING_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "fund/pipeline/screening_list.html",
        {"form": form, "page_obj": page_obj, "refer_form": ReferForm()},
    )


def _screening_detail(request, proposal, refer_form, status=200):
    context = {
        "proposal": proposal,
        "refer_form": refer_form,
        "packets": selectors.proposal_packets(proposal),
        "partners": proposal.partners.order_by("name"),
        "documents": proposal.documents.order_by("uploaded_at", "id"),
    }
    return render(request, "fund/pipeline/screening_detail.html", context, status=status)


@keit_only
def screening_detail(request, pk):
    proposal = selectors.screening_get(request.user, pk)
    return _screening_detail(request, proposal, ReferForm())


@require_POST
@keit_only
def screening_refer(request, pk):
    """Refer one proposal with KEIT's note and proposed channel."""
    proposal = selectors.screening_get(request.user, pk)
    form = ReferForm(request.POST)
    if not form.is_valid():
        return _screening_detail(request, proposal, form, status=400)
    try:
        packet = coordination.proposal_refer(
            proposal_id=proposal.pk,
            actor=request.user,
            note=form.cleaned_data.get("note", ""),
            channel=form.cleaned_data.get("channel", ""),
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _screening_detail(request, proposal, form, status=400)
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
        return redirect("pipeline:screening_detail", pk=proposal.pk)
    messages.success(
        request,
        _("Referred to the fund secretariat as packet #%(sequence)s.")
        % {"sequence": packet.sequence},
    )
    return redirect("pipeline:screening")


def _ids(values) -> list[int]:
    ids = []
    for value in values:
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
            ids.append(int(value))
    return ids


@require_POST
@keit_only
def screening_refer_bulk(request):
    """Refer every ticked proposal; each one that cannot be referred is named with the reason."""
    form = ReferForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("pipeline:screening")
    ids = _ids(request.POST.getlist("proposals"))[:MAX_BULK]
    if not ids:
        messages.error(request, _("Tick the proposals to refer."))
        return redirect("pipeline:screening")
    visible = set(
        selectors.screening_queryset(request.user, {})
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    try:
        packets, refused = coordination.proposal_refer_many(
            proposal_ids=[pk for pk in ids if pk in visible],
            actor=request.user,
            note=form.cleaned_data.get("note", ""),
            channel=form.cleaned_data.get("channel", ""),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("pipeline:screening")
    if packets:
        messages.success(
            request,
            _("%(n)d proposals were referred to the fund secretariat.") % {"n": len(packets)},
        )
    skipped = len([pk for pk in ids if pk not in visible]) + len(refused)
    if skipped:
        messages.warning(
            request,
            _("%(n)d proposals could not be referred: they are no longer waiting for screening.")
            % {"n": skipped},
        )
    return redirect("pipeline:screening")


# ---------------------------------------------------------------------------------------------
# Both sides: the coordination queue


@queue_only
def packet_list(request):
    form = PacketFilterForm(request.GET or None)
    counts = selectors.packet_state_counts(request.user)
    rows, next_cursor = selectors.packet_page(
        request.user, form.filters(), request.GET.get("before")
    )
    context = {
        "form": form,
        "packets": rows,
        "next_cursor": next_cursor,
        "state_tabs": [
            (value, label, counts.get(value, 0)) for value, label in PacketState.choices
        ],
    }
    return render(request, "fund/coordination/packet_list.html", context)


@queue_only
def packet_detail(request, pk):
    packet = selectors.packet_get_for_user(request.user, pk)
    context = {
        "packet": packet,
        "payload_json": json.dumps(packet.payload, ensure_ascii=False, indent=2),
        "decision_label": Decision(packet.payload["decision"]).label
        if packet.payload.get("decision") in Decision.values
        else "",
        "can_ack": packet.state == PacketState.DELIVERED
        and coordination.is_receiver(request.user, packet),
        "can_retry": packet.state == PacketState.STUCK
        and (
            coordination.is_alliance_side(request.user) or coordination.is_fund_side(request.user)
        ),
    }
    return render(request, "fund/coordination/packet_detail.html", context)


@require_POST
@queue_only
def packet_ack(request, pk):
    try:
        coordination.packet_acknowledge(packet_id=pk, actor=request.user)
    except coordination.PacketNotFound as exc:
        raise Http404 from exc
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You cannot acknowledge this packet."))
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Packet acknowledged."))
    return redirect("pipeline:packet_detail", pk=pk)


@require_POST
@queue_only
def packet_retry(request, pk):
    try:
        coordination.packet_retry(packet_id=pk, actor=request.user)
    except coordination.PacketNotFound as exc:
        raise Http404 from exc
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The packet will be sent again."))
    return redirect("pipeline:packet_detail", pk=pk)


# ---------------------------------------------------------------------------------------------
# KDB: the pipeline


def _pipeline_form(request):
    return PipelineFilterForm(request.GET or None, **_reference_lists())


@kdb_only
def pipeline_board(request):
    """Columns = stages, cards with firm, title, requested amount, channel, score, days."""
    form = _pipeline_form(request)
    columns = selectors.pipeline_board(request.user, form.filters())
    return render(
        request,
        "fund/pipeline/board.html",
        {"form": form, "columns": columns, "now": timezone.now()},
    )


@kdb_only
def pipeline_table(request):
    """The same pipeline as a table: filter, sort by score or age, keyset pages."""
    form = _pipeline_form(request)
    filters = form.filters()
    sort = filters.pop("sort", "score")
    rows, next_cursor = selectors.pipeline_page(
        request.user, filters, sort=sort, after=request.GET.get("after")
    )
    context = {"form": form, "rows": rows, "next_cursor": next_cursor, "now": timezone.now()}
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


def _review_detail(request, review, *, decide_form=None, question_form=None, status=200):
    proposal = review.proposal
    next_stage = pipeline.NEXT_STAGE.get(review.stage)
    context = {
        "review": review,
        "proposal": proposal,
        "referral": review.referral,
        "results": results_for_proposal(proposal),
        "packets": selectors.proposal_packets(proposal),
        "history": selectors.proposal_history(proposal),
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


@require_POST
@kdb_only
def pipeline_request_info(request, pk):
    review = selectors.review_get_for_user(request.user, pk)
    form = FundQuestionForm(request.POST)
    form.is_valid()
    try:
        pipeline.proposal_request_info(
            proposal_id=review.proposal_id,
            actor=request.user,
            question=form.cleaned_data.get("question", ""),
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _review_detail(request, review, question_form=form, status=400)
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your question was sent to KEIT."))
    return redirect("pipeline:detail", pk=review.proposal_id)


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
