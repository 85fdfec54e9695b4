from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from alliance.models import (
    AuditLog,
    Consultation,
    FinancialInstitution,
    Firm,
    Industry,
    Proposal,
    ProposalDocument,
    ProposalPartner,
    SubAlliance,
    User,
)
from portal.core import outbox as core_outbox
from portal.core.admin import ReadOnlyAdmin
from portal.core.models import Notification


@admin.register(SubAlliance)
class SubAllianceAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ko", "name_en", "surveyed_demand_krw", "order")
    search_fields = ("code", "name_ko", "name_en")


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ko", "name_en", "order")
    search_fields = ("code", "name_ko", "name_en")


@admin.register(Firm)
class FirmAdmin(admin.ModelAdmin):
    list_display = ("name", "brn_display", "size_class", "member_type", "region", "status")
    list_filter = ("status", "size_class", "member_type", "region", "sub_alliances")
    search_fields = ("name", "name_en", "business_registration_number")
    filter_horizontal = ("sub_alliances",)
    readonly_fields = ("verified_at", "verified_by", "created_at", "updated_at")


@admin.register(FinancialInstitution)
class FinancialInstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "name_en")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "firm", "is_staff", "is_active")
    list_filter = ("groups", "is_staff", "is_active")
    search_fields = ("username", "email", "firm__name")
    autocomplete_fields = ("firm",)
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Organisation"), {"fields": ("firm", "phone")}))


class ProposalPartnerInline(admin.TabularInline):
    model = ProposalPartner
    extra = 0
    autocomplete_fields = ("firm",)


class ProposalDocumentInline(admin.TabularInline):
    model = ProposalDocument
    extra = 0
    fields = ("kind", "original_name", "content_type", "size", "uploaded_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "firm",
        "sub_alliance",
        "industry",
        "requested_krw",
        "status",
        "stage",
        "submitted_at",
    )
    list_filter = (
        "status",
        "stage",
        "sub_alliance",
        "industry",
        "region",
        "ai_related",
        "preferred_channel",
    )
    search_fields = ("title", "firm__name", "summary")
    list_select_related = ("firm", "sub_alliance", "industry")
    autocomplete_fields = ("firm",)
    readonly_fields = ("status", "stage", "version", "submitted_at", "created_at", "updated_at")
    inlines = (ProposalPartnerInline, ProposalDocumentInline)


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """Read-only: the audit log cannot be edited through the app."""

    list_display = (
        "created_at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "from_state",
        "to_state",
    )
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "actor__username", "note")
    list_select_related = ("actor",)


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdmin):
    """Read-only: requests change only through the consultation pages and their services."""

    list_display = (
        "created_at",
        "firm",
        "institution",
        "topic",
        "status",
        "confirmed_slot",
        "handled_by",
    )
    list_filter = ("status", "topic", "institution")
    search_fields = ("firm__name", "institution__name", "message")
    list_select_related = ("firm", "institution", "handled_by")
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The mail outbox, read-only; failed mail can be sent again with a fresh count."""

    list_display = ("created_at", "kind", "recipient", "state", "attempts", "sent_at")
    list_filter = ("state", "kind")
    search_fields = ("recipient", "subject")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    actions = ["send_again"]

    @admin.action(description=_("Send the selected failed mail again"))
    def send_again(self, request, queryset):
        count = core_outbox.notifications_retry(
            notification_ids=queryset.values_list("pk", flat=True)
        )
        self.message_user(
            request, _("%(n)d mail will be sent again.") % {"n": count}, messages.SUCCESS
        )
