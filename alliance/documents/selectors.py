"""Reads of documents, through the proposals the user may see."""

from django.http import Http404

from alliance.models import ProposalDocument, User
from alliance.proposals.selectors import proposals_visible_to
from portal.core.ids import parse_id


def document_get_for_user(user: User, pk) -> ProposalDocument:
    """A document is visible exactly when its proposal is; otherwise 404."""
    try:
        return ProposalDocument.objects.select_related("proposal").get(
            pk=parse_id(pk), proposal__in=proposals_visible_to(user).values("pk")
        )
    except ProposalDocument.DoesNotExist as exc:
        raise Http404 from exc
