"""Writes of the institutions' part: one function per state change.

Each checks who acts, validates field by field, changes state under row locks in one
transaction with its audit row, writes its mail into the outbox and queues the fit workers on
commit. They raise ValidationError (a dict of field errors), TransitionNotAllowed (409),
StaleEdit (409), PermissionDenied, or Http404 for what the actor may not see; they change
nothing when they do.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from alliance.audit import audit_record
from alliance.consultations import services as consultations
from alliance.models import (
    ConsultationTopic,
    FinancialInstitution,
    Proposal,
    SubAlliance,
    User,
)
from alliance.notifications.services import firm_recipients
from fund.institutions import selectors
from fund.institutions.fit import OfferValues, ProposalValues, evaluate
from fund.institutions.models import (
    DESCRIPTION_MAX,
    MESSAGE_MAX,
    InstitutionFit,
    Interest,
    InterestState,
    Offer,
    ProposalShare,
)
from fund.institutions.permissions import (
    OPENABLE_STATUSES,
    can_edit_offer,
    can_share,
    is_institution_user,
)
from matching import selectors as matching_selectors
from portal.core import outbox
from portal.core.errors import StaleEdit, TransitionNotAllowed
from portal.core.ids import parse_id
from portal.core.models import NotificationKind
from portal.core.queue import task
from portal.core.vocabulary import FUND_SIZE_KRW, INDUSTRY_CODES, ChannelCode, Region

# The text the applicant agrees to; stored with the share in both languages, as agreed.
CONSENT_TEXT = gettext_noop(
    "I open this proposal to the financial institutions taking part in the portal. Each "
    "institution whose offer fits sees its title, summary, sub-alliance, industry, region, "
    "firm size, requested amount and eligible channels — not the firm's name, documents or "
    "contacts. An institution learns who we are only when we accept its interest. We can "
    "withdraw this at any time; withdrawal ends every institution's access at once and closes "
    "the interests still waiting."
)

OFFER_FIELDS = (
    "channels",
    "industries",
    "sub_alliances",
    "regions",
    "min_ticket_krw",
    "max_ticket_krw",
    "description",
)


class OfferStaleEdit(StaleEdit):
    """The offer changed since the editor loaded it (409)."""

    def __init__(self, current_version: int):
        super().__init__(current_version)
        self.message = _(
            "Someone else saved this offer after you opened it. Your changes were not saved; "
            "reload to see the current version."
        )


def consent_text_both() -> str:
    parts = []
    for language in ("ko", "en"):
        with translation.override(language):
            parts.append(_(CONSENT_TEXT))
    return "\n\n".join(dict.fromkeys(parts))


# ---------------------------------------------------------------------------------------------
# Offers


def _codes(value, *, allowed, field: str, errors: dict, required: bool = False) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        errors[field] = [ValidationError(_("Give a list of codes."))]
        return []
    unknown = sorted({v for v in value if v not in allowed})
    if unknown:
        errors[field] = [
            ValidationError(_("Unknown codes: %(codes)s.") % {"codes": ", ".join(unknown)})
        ]
        return []
    if required and not value:
        errors[field] = [ValidationError(_("Choose at least one."))]
        return []
    # In the vocabulary's order, each once.
    return [code for code in allowed if code in value]


def _amount(value, *, field: str, errors: dict) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        errors[field] = [ValidationError(_("Enter a whole number of won."))]
        return 0
    if value < 0:
        errors[field] = [ValidationError(_("Enter an amount of zero or more."))]
        return 0
    if value > FUND_SIZE_KRW:
        errors[field] = [ValidationError(_("Enter an amount no larger than the fund itself."))]
        return 0
    return value


def offer_for_update(institution_id: int) -> Offer:
    """The institution's offer, locked; created empty the first time it is kept."""
    offer, _created = Offer.objects.get_or_create(institution_id=institution_id)
    return Offer.objects.select_for_update().get(pk=offer.pk)


def offer_update(
    *, institution_id: int, actor: User, data: dict, version: int | None = None
) -> Offer:
    """An institution's user changes any of its offer's fields (PATCH: only those given).

    404 for anyone but the institution's own users; ValidationError per field; OfferStaleEdit
    when `version` is given and no longer current. The fits of every opened proposal to this
    offer are worked out again by a worker after commit.
    """
    institution = FinancialInstitution.objects.filter(pk=parse_id(institution_id)).first()
    if institution is None or not can_edit_offer(actor, institution):
        raise Http404
    errors: dict[str, list[ValidationError]] = {}
    unknown = sorted(set(data) - set(OFFER_FIELDS))
    if unknown:
        errors["non_field_errors"] = [
            ValidationError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)})
        ]
    clean: dict = {}
    if "channels" in data:
        clean["channels"] = _codes(
            data["channels"],
            allowed=ChannelCode.values,
            field="channels",
            errors=errors,
            required=True,
        )
    if "industries" in data:
        clean["industries"] = _codes(
            data["industries"], allowed=list(INDUSTRY_CODES), field="industries", errors=errors
        )
    if "sub_alliances" in data:
        clean["sub_alliances"] = _codes(
            data["sub_alliances"],
            allowed=list(SubAlliance.objects.order_by("order").values_list("code", flat=True)),
            field="sub_alliances",
            errors=errors,
        )
    if "regions" in data:
        clean["regions"] = _codes(
            data["regions"], allowed=Region.values, field="regions", errors=errors
        )
    for field in ("min_ticket_krw", "max_ticket_krw"):
        if field in data:
            clean[field] = _amount(data[field], field=field, errors=errors)
    if "description" in data:
        description = data["description"]
        if not isinstance(description, str):
            errors["description"] = [ValidationError(_("Enter text."))]
        elif len(description.strip()) > DESCRIPTION_MAX:
            errors["description"] = [
                ValidationError(_("At most %(n)d characters.") % {"n": DESCRIPTION_MAX})
            ]
        else:
            clean["description"] = description.strip()
    with transaction.atomic():
        offer = offer_for_update(institution.pk)
        if version is not None and version != offer.version:
            raise OfferStaleEdit(offer.version)
        low = clean.get("min_ticket_krw", offer.min_ticket_krw)
        high = clean.get("max_ticket_krw", offer.max_ticket_krw)
        if not ({"min_ticket_krw", "max_ticket_krw"} & errors.keys()) and low > high:
            field = "max_ticket_krw" if "max_ticket_krw" in clean else "min_ticket_krw"
            errors[field] = [
                ValidationError(_("The largest ticket must not be smaller than the smallest."))
            ]
        if not offer.channels and "channels" not in clean and "channels" not in errors:
            errors["channels"] = [ValidationError(_("Choose at least one."))]
        if errors:
            raise ValidationError(errors)
        before = {field: getattr(offer, field) for field in OFFER_FIELDS}
        for field, value in clean.items():
            setattr(offer, field, value)
        offer.version += 1
        offer.updated_by = actor
        offer.save()
        changed = sorted(f for f in OFFER_FIELDS if getattr(offer, f) != before[f])
        audit_record(
            actor=actor,
            action="offer.update",
            obj=offer,
            data={"institution": institution.pk, "changed": changed, "version": offer.version},
        )
        schedule_fits(institution_ids=[institution.pk])
    return offer


# ---------------------------------------------------------------------------------------------
# Opening a proposal to institutions (consent) and withdrawing it


def _lead_proposal_for_update(proposal_id, actor: User) -> Proposal:
    """The proposal, locked, when the actor is its lead firm's applicant; 404 otherwise (an
    applicant never learns that another firm's proposal exists)."""
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("firm")
        .filter(pk=parse_id(proposal_id))
        .first()
    )
    if proposal is None or not can_share(actor, proposal):
        raise Http404
    return proposal


def share_open(*, proposal_id, actor: User, consent) -> tuple[ProposalShare, bool]:
    """The lead firm's applicant opens a submitted proposal to institutions with explicit
    consent (`consent` is True). Returns the share and whether it was opened now (False when
    it was open already). ValidationError on `consent`; TransitionNotAllowed for a draft or a
    withdrawn proposal."""
    with transaction.atomic():
        proposal = _lead_proposal_for_update(proposal_id, actor)
        if consent is not True:
            raise ValidationError(
                {"consent": [ValidationError(_("Agree to the consent text to open the proposal."))]}
            )
        if proposal.status not in OPENABLE_STATUSES:
            raise TransitionNotAllowed(
                _("Only a submitted proposal can be opened to financial institutions.")
            )
        share = ProposalShare.objects.select_for_update().filter(proposal=proposal).first()
        if share is not None and share.is_open:
            return share, False
        now = timezone.now()
        if share is None:
            share = ProposalShare(proposal=proposal)
        share.consent_text = consent_text_both()
        share.opened_by = actor
        share.opened_at = now
        share.withdrawn_at = None
        share.withdrawn_by = None
        share.save()
        audit_record(
            actor=actor,
            action="proposal.share_open",
            obj=proposal,
            from_state="closed",
            to_state="open",
            note=share.consent_text,
        )
        schedule_fits(proposal_ids=[proposal.pk])
    return share, True


def share_withdraw(*, proposal_id, actor: User) -> ProposalShare:
    """The lead firm's applicant withdraws the proposal from institutions: from this commit no
    institution sees it, its fits are removed and every open interest is closed (each
    institution is told). TransitionNotAllowed when it is not open."""
    with transaction.atomic():
        proposal = _lead_proposal_for_update(proposal_id, actor)
        share = ProposalShare.objects.select_for_update().filter(proposal=proposal).first()
        if share is None or not share.is_open:
            raise TransitionNotAllowed(_("This proposal is not open to financial institutions."))
        now = timezone.now()
        share.withdrawn_at = now
        share.withdrawn_by = actor
        share.save(update_fields=["withdrawn_at", "withdrawn_by"])
        InstitutionFit.objects.filter(proposal=proposal).delete()
        audit_record(
            actor=actor,
            action="proposal.share_withdraw",
            obj=proposal,
            from_state="open",
            to_state="closed",
        )
        closing = list(
            Interest.objects.select_for_update(of=("self",))
            .select_related("created_by", "institution")
            .filter(proposal=proposal, state=InterestState.OPEN)
            .order_by("pk")
        )
        for interest in closing:
            interest.state = InterestState.CLOSED
            interest.decided_at = now
            interest.save(update_fields=["state", "decided_at"])
            audit_record(
                actor=actor,
                action="interest.close",
                obj=interest,
                from_state=InterestState.OPEN,
                to_state=InterestState.CLOSED,
                data={"institution": interest.institution_id},
            )
            _mail_institution(interest, "closed", proposal=proposal)
    return share


# ---------------------------------------------------------------------------------------------
# Fit (workers)


def schedule_fits(*, proposal_ids=(), institution_ids=()) -> None:
    """Work out the fits again in a worker once the current transaction commits."""
    refresh = task("institutions.refresh_fits")
    proposal_ids, institution_ids = list(proposal_ids), list(institution_ids)
    # robust: if the broker is down the change still stands; the next change of either side
    # (or `refresh_fits` by hand) brings the fits up to date.
    transaction.on_commit(
        lambda: refresh.apply_async(
            kwargs={"proposal_ids": proposal_ids, "institution_ids": institution_ids},
            retry=False,
        ),
        robust=True,
    )


def refresh_fits(*, proposal_ids=(), institution_ids=()) -> int:
    """Work out, from what is stored now, the fit of the given opened proposals to every
    offer, and of every opened proposal to the given institutions' offers. Idempotent: the
    rows are upserted; a proposal no longer open loses its rows. Runs under the share rows'
    locks, so two workers on the same proposal write one after the other. Returns how many
    fit rows were written."""
    proposal_ids, institution_ids = list(proposal_ids), list(institution_ids)
    if proposal_ids and institution_ids:
        return refresh_fits(proposal_ids=proposal_ids) + refresh_fits(
            institution_ids=institution_ids
        )
    if not proposal_ids and not institution_ids:
        return 0
    with transaction.atomic():
        shares = ProposalShare.objects.select_for_update().order_by("pk")
        if proposal_ids:
            shares = shares.filter(proposal_id__in=proposal_ids)
        locked_ids = [share.proposal_id for share in shares]
        open_ids = set(
            selectors.open_shares()
            .filter(proposal_id__in=locked_ids)
            .values_list("proposal_id", flat=True)
        )
        closed_ids = (set(proposal_ids) | set(locked_ids)) - open_ids
        if closed_ids:
            InstitutionFit.objects.filter(proposal_id__in=closed_ids).delete()
        offers = Offer.objects.filter(institution__is_active=True).order_by("institution_id")
        if institution_ids:
            offers = offers.filter(institution_id__in=institution_ids)
        offers = list(offers)
        proposals = list(
            Proposal.objects.filter(pk__in=sorted(open_ids)).select_related(
                "industry", "sub_alliance"
            )
        )
        eligible = matching_selectors.eligible_channels([p.pk for p in proposals])
        now = timezone.now()
        written = 0
        for proposal in proposals:
            values = ProposalValues(
                eligible_channels=tuple(eligible.get(proposal.pk, [])),
                industry=proposal.industry.code if proposal.industry else "",
                sub_alliance=proposal.sub_alliance.code if proposal.sub_alliance else "",
                region=proposal.region,
                requested_krw=proposal.requested_krw or 0,
            )
            for offer in offers:
                result = evaluate(
                    OfferValues(
                        channels=tuple(offer.channels),
                        industries=tuple(offer.industries),
                        sub_alliances=tuple(offer.sub_alliances),
                        regions=tuple(offer.regions),
                        min_ticket_krw=offer.min_ticket_krw,
                        max_ticket_krw=offer.max_ticket_krw,
                    ),
                    values,
                )
                InstitutionFit.objects.update_or_create(
                    institution_id=offer.institution_id,
                    proposal_id=proposal.pk,
                    defaults={
                        "score": result.score,
                        "fits": result.fits,
                        "eligible_channels": list(values.eligible_channels),
                        "breakdown": result.breakdown,
                        "computed_at": now,
                    },
                )
                written += 1
    return written


# ---------------------------------------------------------------------------------------------
# Interests


def _clean_message(value, *, field: str, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: [ValidationError(_("Enter text."))]})
    value = value.strip()
    if required and not value:
        raise ValidationError({field: [ValidationError(_("Write a message to the firm."))]})
    if len(value) > MESSAGE_MAX:
        raise ValidationError(
            {field: [ValidationError(_("At most %(n)d characters.") % {"n": MESSAGE_MAX})]}
        )
    return value


def interest_express(*, actor: User, proposal_id, message) -> Interest:
    """An institution's user expresses interest in a proposal of its deal flow, with a message
    to the firm. PermissionDenied for anyone but an institution's user; 404 for a proposal not
    in its deal flow; ValidationError on `message`; TransitionNotAllowed when the institution
    has expressed interest in it before (one interest per institution and proposal)."""
    if not is_institution_user(actor):
        raise PermissionDenied
    message = _clean_message(message, field="message", required=True)
    with transaction.atomic():
        fit = selectors.dealflow_get(actor, proposal_id)
        # The share's lock: a withdrawal running now either commits first (404 here) or waits.
        share = ProposalShare.objects.select_for_update().get(proposal_id=fit.proposal_id)
        if not share.is_open:
            raise Http404
        if Interest.objects.filter(
            institution_id=actor.institution_id, proposal_id=fit.proposal_id
        ).exists():
            raise TransitionNotAllowed(
                _("Your institution has already expressed interest in this proposal.")
            )
        interest = Interest.objects.create(
            institution_id=actor.institution_id,
            proposal_id=fit.proposal_id,
            message=message,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="interest.express",
            obj=interest,
            to_state=interest.state,
            data={"institution": actor.institution_id, "fit": fit.score},
        )
        _mail_firm(interest)
    return interest


def _interest_for_lead(interest_id, actor: User) -> Interest:
    """The interest, locked, when the actor is the lead firm's applicant of its proposal."""
    interest = (
        Interest.objects.select_for_update(of=("self",))
        .select_related("proposal__firm", "institution", "created_by")
        .filter(pk=parse_id(interest_id))
        .first()
    )
    if interest is None or not can_share(actor, interest.proposal):
        raise Http404
    return interest


def next_consultation_slots(now: datetime.datetime | None = None, count: int = 3) -> list:
    """The preferred times a consultation opened from an interest starts with, when the firm
    gives none: 10:00 (Korean time) on each of the next `count` weekdays (운영 기준, D21)."""
    local = timezone.localtime(now or timezone.now())
    day = local.date()
    slots = []
    while len(slots) < count:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            slots.append(
                timezone.make_aware(
                    datetime.datetime.combine(day, datetime.time(10, 0)),
                    timezone.get_current_timezone(),
                )
            )
    return slots


def interest_accept(*, interest_id, actor: User, preferred_slots=None) -> Interest:
    """The lead firm's applicant accepts an open interest: a consultation request with the
    institution opens (at the firm's preferred times, or the next three weekdays at 10:00),
    and both sides see each other's contact. TransitionNotAllowed unless it is open; the
    consultation's own rules (a verified firm, valid times) apply."""
    with transaction.atomic():
        interest = _interest_for_lead(interest_id, actor)
        if not interest.is_open:
            raise TransitionNotAllowed(_("Only an interest that is still open can be accepted."))
        with translation.override("ko"):
            note = _("Interest from %(institution)s: %(message)s") % {
                "institution": interest.institution.name,
                "message": interest.message,
            }
        consultation = consultations.consultation_request(
            actor=actor,
            institution=interest.institution,
            topic=ConsultationTopic.INVESTMENT_STRUCTURE,
            message=note[: consultations.NOTE_MAX],
            preferred_slots=list(preferred_slots or next_consultation_slots()),
        )
        interest.state = InterestState.ACCEPTED
        interest.decided_by = actor
        interest.decided_at = timezone.now()
        interest.consultation = consultation
        interest.save(update_fields=["state", "decided_by", "decided_at", "consultation"])
        audit_record(
            actor=actor,
            action="interest.accept",
            obj=interest,
            from_state=InterestState.OPEN,
            to_state=InterestState.ACCEPTED,
            data={"institution": interest.institution_id, "consultation": consultation.pk},
        )
        _mail_institution(interest, "accepted", proposal=interest.proposal)
    return interest


def interest_decline(*, interest_id, actor: User, reason="") -> Interest:
    """The lead firm's applicant declines an open interest (optionally saying why); the
    institution is told. TransitionNotAllowed unless it is open."""
    reason = _clean_message(reason, field="reason", required=False)
    with transaction.atomic():
        interest = _interest_for_lead(interest_id, actor)
        if not interest.is_open:
            raise TransitionNotAllowed(_("Only an interest that is still open can be declined."))
        interest.state = InterestState.DECLINED
        interest.decided_by = actor
        interest.decided_at = timezone.now()
        interest.decline_reason = reason
        interest.save(update_fields=["state", "decided_by", "decided_at", "decline_reason"])
        audit_record(
            actor=actor,
            action="interest.decline",
            obj=interest,
            from_state=InterestState.OPEN,
            to_state=InterestState.DECLINED,
            note=reason,
            data={"institution": interest.institution_id},
        )
        _mail_institution(interest, "declined", proposal=interest.proposal)
    return interest


# ---------------------------------------------------------------------------------------------
# Mail, through the outbox in the event's transaction

SUBJECTS = {
    "expressed": gettext_noop("A financial institution is interested: %(title)s"),
    "accepted": gettext_noop("The firm accepted your interest: %(title)s"),
    "declined": gettext_noop("The firm declined your interest: %(title)s"),
    "closed": gettext_noop("A proposal was withdrawn from institutions: %(title)s"),
}


def _url(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def _mail_firm(interest: Interest) -> None:
    proposal = interest.proposal
    people = firm_recipients(proposal.firm_id)
    if not people:
        return
    context = {
        "kind": "expressed",
        "institution": interest.institution.name,
        "title": proposal.title,
        "message": interest.message,
        "link": _url("institutions:interest_detail", interest.pk),
    }
    subject, body = outbox.compose(
        lambda: _(SUBJECTS["expressed"]) % {"title": proposal.title},
        "institutions/mail/interest.txt",
        context,
    )
    outbox.write(
        kind=NotificationKind.CONSULTATION,
        recipients=[outbox.Recipient(u.email, u) for u in people],
        subject=subject,
        body=body,
        event_key=f"interest:{interest.pk}:expressed",
        proposal_id=proposal.pk,
    )


def _mail_institution(interest: Interest, kind: str, *, proposal: Proposal) -> None:
    person = interest.created_by
    if person is None or not person.email or not person.is_active:
        return
    # The institution knows the title from its deal flow; the firm's name only once accepted.
    title = proposal.title
    context = {
        "kind": kind,
        "institution": interest.institution.name,
        "title": title,
        "firm": proposal.firm.name if kind == "accepted" else "",
        "link": _url("institutions:interest_detail", interest.pk),
    }
    subject, body = outbox.compose(
        lambda: _(SUBJECTS[kind]) % {"title": title}, "institutions/mail/interest.txt", context
    )
    outbox.write(
        kind=NotificationKind.CONSULTATION,
        recipients=[outbox.Recipient(person.email, person)],
        subject=subject,
        body=body,
        event_key=f"interest:{interest.pk}:{kind}",
        proposal_id=proposal.pk,
    )
