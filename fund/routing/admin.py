"""The admin shows automatic routing's rows and changes none: a policy changes through KEIT's
pages (versions, activation with confirmation), a referral only through the workers."""

from django.contrib import admin

from fund.routing.models import RoutedProposal, RoutingCandidate, RoutingPolicy
from portal.core.admin import ReadOnlyAdmin


@admin.register(RoutingPolicy)
class RoutingPolicyAdmin(ReadOnlyAdmin):
    list_display = ("version", "name", "status", "activated_at", "retired_at")
    list_filter = ("status",)


@admin.register(RoutedProposal)
class RoutedProposalAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "channel", "score", "policy", "routed_at")
    list_filter = ("channel", "routed_on")
    list_select_related = ("proposal", "policy")
    raw_id_fields = ("proposal", "packet")


@admin.register(RoutingCandidate)
class RoutingCandidateAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "queued_at", "due_at")
    list_select_related = ("proposal",)
    raw_id_fields = ("proposal",)
