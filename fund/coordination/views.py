"""KEIT's screening inbox (refer one or many) and the coordination queue's packet pages."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.firms import secretariat_views as secretariat
from alliance.listing import page_of, search_condition
from alliance.models import Industry, SubAlliance
from alliance.proposals import selectors as alliance_selectors
from alliance.proposals.forms import ProposalFilterForm, RequestInfoForm
from alliance.proposals.selectors import reference_lists
from alliance.proposals.views import proposal_rows
from fund.coordination import permissions as coordination_permissions
from fund.coordination import selectors
from fund.coordination import services as coordination
from fund.coordination.forms import PacketFilterForm, ReferForm, ScreeningFilterForm
from fund.coordination.models import PacketState
from fund.ministry import selectors as ministry_selectors
from fund.ministry.selectors import with_recommended
from matching import selectors as matching_selectors
from portal.core.access import only_for
from portal.core.errors import TransitionNotAllowed
from portal.core.forms import add_service_errors
from portal.core.vocabulary import Decision

SCREENING_PAGE_SIZE = 50
MAX_BULK = 200

keit_only = only_for(coordination_permissions.can_screen)
queue_only = only_for(coordination_permissions.can_see_queue)


@keit_only
def screening_list(request):
    """KEIT's screening page, "waiting" tab: the submitted proposals, best score first, with
    the bulk referral."""
    form = ScreeningFilterForm(request.GET or None, **reference_lists())
    proposals = selectors.screening_queryset(request.user, form.filters())
    page_obj = page_of(request, proposals, SCREENING_PAGE_SIZE)
    return _proposal_screening(request, form, page_obj, tab="waiting")


def _proposal_screening(request, form, page_obj, *, tab: str, extra=None):
    """KEIT's one proposal screening page: the "waiting" tab (the screening inbox) and the
    "all" tab (every proposal it may see), the same rows, each opening the screening page."""
    _with_routing(page_obj, request.user)
    context = {
        "form": form,
        "page_obj": page_obj,
        "tab": tab,
        "refer_form": ReferForm(),
        "can_screen": coordination_permissions.can_screen(request.user),
        **(extra or {}),
    }
    return render(request, "fund/coordination/proposal_list.html", context)


def _with_routing(page_obj, user) -> None:
    """Each proposal of the page with how it went to the fund, or why it waits
    (`routing_status`: held by the routing policy, with the condition it misses)."""
    proposals = list(page_obj.object_list)
    statuses = alliance_selectors.proposals_routing(proposals, user)
    for proposal in proposals:
        proposal.routing_status = statuses[proposal.pk]
    page_obj.object_list = proposals


def _screening_detail(request, proposal, refer_form, status=200):
    partners = list(proposal.partners.order_by("name"))
    context = {
        "proposal": proposal,
        "rows": proposal_rows(proposal, partners),
        "request_info_form": RequestInfoForm(),
        "routing": alliance_selectors.proposals_routing([proposal], request.user)[proposal.pk],
        "refer_form": refer_form,
        "packets": selectors.proposal_packets(proposal),
        "partners": partners,
        "documents": proposal.documents.order_by("uploaded_at", "id"),
        "recommendation": ministry_selectors.recommendation_for(proposal.pk, request.user),
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
        and coordination_permissions.is_receiver(request.user, packet),
        "can_retry": packet.state == PacketState.STUCK
        and (
            coordination_permissions.is_alliance_side(request.user)
            or coordination_permissions.is_fund_side(request.user)
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
# KEIT: every proposal, ranked by its best channel and score


@secretariat.secretariat_only
def proposal_list(request):
    """Every proposal with its best channel and score under the active rule set, filtered by
    status, sub-alliance, industry, region, best channel, minimum score or a search over title,
    firm and 사업자등록번호; newest submission first unless sorted by score."""
    sub_alliances = list(SubAlliance.objects.order_by("order"))
    industries = list(Industry.objects.order_by("order"))
    form = ProposalFilterForm(
        request.GET or None, sub_alliances=sub_alliances, industries=industries
    )
    filters = form.filters() if form.is_bound else {}
    proposals = alliance_selectors.proposals_visible_to(request.user)
    if "q" in filters:
        proposals = proposals.filter(
            search_condition(
                filters["q"],
                name_fields=("title", "firm__name"),
                brn_field="firm__business_registration_number",
            )
        )
    proposals = alliance_selectors.proposals_filtered(proposals, filters)
    sort = filters.get("sort", "submitted")
    proposals = with_recommended(
        matching_selectors.proposals_with_best_match(proposals, filters=filters, sort=sort)
    )
    page_obj = page_of(request, alliance_selectors.IdsFirst(proposals))
    return _proposal_screening(
        request,
        form,
        page_obj,
        tab="all",
        extra={"sort": sort, "sort_links": _sort_links(request, sort)},
    )


def _sort_links(request, sort: str) -> dict[str, str]:
    """The query string of each sortable column's header link: the filters kept, the page
    dropped, and a second click on the same column reversing its order."""
    flips = {
        "score": ("score", "score_asc"),
        "submitted": ("submitted", "submitted_asc"),
    }
    links = {}
    for column, (first, second) in flips.items():
        query = request.GET.copy()
        query.pop("page", None)
        query["sort"] = second if sort == first else first
        links[column] = query.urlencode()
    return links
