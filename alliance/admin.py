from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from alliance.audit import audit_record
from alliance.firms import services as firms_services
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
from portal.core.vocabulary import FirmStatus


class AuditedAdmin(admin.ModelAdmin):
    """An admin whose every add, change and delete writes an audit row (who, which fields),
    in the same transaction as the write. State and money stay read-only in the admins that
    use it: those change only through the services."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="admin.change" if change else "admin.add",
            obj=obj,
            data={"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action="admin.delete", obj=obj, data={"fields": []})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(SubAlliance)
class SubAllianceAdmin(AuditedAdmin):
    list_display = ("code", "name_ko", "name_en", "surveyed_demand_krw", "order")
    search_fields = ("code", "name_ko", "name_en")


@admin.register(Industry)
class IndustryAdmin(AuditedAdmin):
    list_display = ("code", "name_ko", "name_en", "order")
    search_fields = ("code", "name_ko", "name_en")


@admin.register(Firm)
class FirmAdmin(AuditedAdmin):
    """Names and contacts may be corrected here (audited); the status changes only through
    KEIT's verification, which the action below calls."""

    list_display = ("name", "brn_display", "size_class", "member_type", "region", "status")
    list_filter = ("status", "size_class", "member_type", "region", "sub_alliances")
    search_fields = ("name", "name_en", "business_registration_number")
    filter_horizontal = ("sub_alliances",)
    readonly_fields = (
        "business_registration_number",
        "status",
        "verified_at",
        "verified_by",
        "created_at",
        "updated_at",
    )
    actions = ("verify",)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Verify the selected pending firms (as KEIT does)"))
    def verify(self, request, queryset):
        done = 0
        for firm in queryset.filter(status=FirmStatus.PENDING):
            try:
                firms_services.firm_verify(firm=firm, actor=request.user)
            except PermissionDenied:
                self.message_user(request, _("Only KEIT staff can verify firms."), messages.ERROR)
                return
            done += 1
        self.message_user(request, _("%(n)d firm(s) verified.") % {"n": done}, messages.SUCCESS)


@admin.register(FinancialInstitution)
class FinancialInstitutionAdmin(AuditedAdmin):
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
    fields = ("firm",)
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ProposalDocumentInline(admin.TabularInline):
    model = ProposalDocument
    extra = 0
    fields = ("kind", "original_name", "content_type", "size", "uploaded_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    """Read-only: the lead firm, the amounts and the state change only through the wizard and
    the services (which lock the row, check the version and write the history)."""

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
