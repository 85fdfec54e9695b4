"""The fund secretariat's questions: KEIT relays them to the applicant, the applicant answers.

KEIT's pages list the questions that came in with `info_requested` packets and relay one to
the lead firm; the applicant answers on the proposal's page and the answer goes back to the
fund as an `info_provided` packet. Anyone else gets 404.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliance import permissions
from alliance.firms.secretariat_views import STAFF_ONLY, secretariat_only
from alliance.models import NOTE_MAX, Proposal
from alliance.proposals.views import _lead_proposal, render_proposal_detail
from fund.coordination import fund_questions
from fund.coordination.models import FundQuestion
from portal.core.errors import TransitionNotAllowed
from portal.core.forms import add_service_errors
from portal.core.ids import parse_id
from portal.core.vocabulary import ProposalStatus

PAGE_SIZE = 50
WAITING_SHOWN = 50


class RelayForm(forms.Form):
    """The question as KEIT sends it to the applicant; the service checks it."""

    text = forms.CharField(
        label=gettext_lazy("Question for the applicant"),
        help_text=gettext_lazy(
            "The fund's question as it was asked; edit or add to it before sending."
        ),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": NOTE_MAX}),
        required=False,
    )


class AnswerForm(forms.Form):
    """The applicant's answer; the service checks it."""

    answer = forms.CharField(
        label=gettext_lazy("Your answer"),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": fund_questions.ANSWER_MAX}),
        required=False,
    )


# ---------------------------------------------------------------------------------------------
# Reads


def fund_questions_open() -> QuerySet[FundQuestion]:
    """Questions the fund asked that KEIT has not relayed yet, on proposals the fund still
    reviews (a decision closes them), oldest first."""
    return (
        FundQuestion.objects.filter(
            relayed_at__isnull=True, proposal__status=ProposalStatus.IN_REVIEW
        )
        .select_related("proposal__firm")
        .order_by("asked_at", "pk")
    )


def fund_questions_waiting() -> QuerySet[FundQuestion]:
    """Questions relayed to the applicant and not answered yet, oldest first."""
    return (
        FundQuestion.objects.filter(
            relayed_at__isnull=False,
            answered_at__isnull=True,
            proposal__status=ProposalStatus.IN_REVIEW,
        )
        .select_related("proposal__firm")
        .order_by("relayed_at", "pk")
    )


def fund_question_get(pk) -> FundQuestion:
    question = (
        FundQuestion.objects.select_related("proposal__firm", "relayed_by", "answered_by")
        .filter(pk=parse_id(pk))
        .first()
    )
    if question is None:
        raise Http404
    return question


# ---------------------------------------------------------------------------------------------
# KEIT


@secretariat_only
@require_GET
def fund_question_list(request):
    """The fund's questions waiting for KEIT, and those waiting for the applicant's answer."""
    page_obj = Paginator(fund_questions_open(), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page_obj,
        "waiting": list(fund_questions_waiting()[:WAITING_SHOWN]),
    }
    return render(request, "alliance/fund_question_list.html", context)


def _render_question(request, question, form=None, status=200):
    context = {
        "question": question,
        "proposal": question.proposal,
        "form": form or RelayForm(initial={"text": question.question}),
        "can_relay": question.relayed_at is None
        and question.proposal.status == ProposalStatus.IN_REVIEW,
    }
    return render(request, "alliance/fund_question_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@secretariat_only
def fund_question_detail(request, pk):
    """One question (GET) and relaying it to the applicant firm (POST)."""
    question = fund_question_get(pk)
    if request.method == "GET":
        return _render_question(request, question)
    form = RelayForm(request.POST)
    form.is_valid()
    try:
        fund_questions.fund_question_relay(
            question_id=question.pk,
            actor=request.user,
            text=form.cleaned_data.get("text", ""),
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _render_question(request, question, form=form, status=400)
    except PermissionDenied:
        messages.error(request, STAFF_ONLY)
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The question was sent to the applicant."))
        return redirect("alliance:fund_questions")
    return redirect("alliance:fund_question", pk=question.pk)


# ---------------------------------------------------------------------------------------------
# Applicant


@login_required
@require_POST
def fund_question_answer(request, pk, question_pk):
    """The lead firm answers a question relayed to it; 404 for anyone else."""
    proposal = _lead_proposal(request, pk)
    question = (
        FundQuestion.objects.filter(pk=parse_id(question_pk), proposal=proposal)
        .exclude(relayed_at__isnull=True)
        .first()
    )
    if question is None:
        raise Http404
    form = AnswerForm(request.POST)
    form.is_valid()
    try:
        fund_questions.fund_question_answer(
            question_id=question.pk,
            actor=request.user,
            answer=form.cleaned_data.get("answer", ""),
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        rows = fund_question_rows(proposal, request.user, {question.pk: form})
        return render_proposal_detail(
            request, proposal, extra_context={"fund_questions": rows}, status=400
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your answer was sent to the fund secretariat."))
    return redirect("alliance:proposal_detail", pk=proposal.pk)


def fund_question_rows(proposal: Proposal, user, answer_forms: dict) -> list[dict]:
    """The fund's questions KEIT relayed to the firm, each with an answer form while open."""
    if proposal.status not in (ProposalStatus.IN_REVIEW, ProposalStatus.DECIDED):
        return []  # the fund asks only about proposals it reviews: no query for the rest
    can_answer = (
        permissions.is_lead_member(user, proposal) and proposal.status == ProposalStatus.IN_REVIEW
    )
    rows = []
    for question in proposal.fund_questions.filter(relayed_at__isnull=False).order_by(
        "relayed_at", "pk"
    ):
        open_question = question.answered_at is None and can_answer
        rows.append(
            {
                "question": question,
                "form": answer_forms.get(question.pk, AnswerForm()) if open_question else None,
            }
        )
    return rows
