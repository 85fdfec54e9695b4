from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.utils.translation import gettext_lazy as _

from alliance.admin import AuditedAdmin
from fund.capacity.models import AnnualPlan, Channel, Commitment
from fund.coordination.models import FundQuestion
from fund.review.models import AgendaItem, CommitteeMeeting, ReviewComment, SavedView
from fund.site.models import Event, Faq, Notice, Registration
from portal.core import privacy
from portal.core.admin import ReadOnlyAdmin


class AnnualPlanInline(admin.TabularInline):
    """The year's plan amounts are facts of the fund (SPEC §1): shown, not edited here."""

    model = AnnualPlan
    extra = 0
    fields = ("year", "amount_krw")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Channel)
class ChannelAdmin(AuditedAdmin):
    """Staff correct names, descriptions and terms (audited); the size is read-only here, as
    every figure a commitment is checked against; committed/remaining are computed."""

    list_display = ("code", "name_ko", "name_en", "size_krw", "order")
    readonly_fields = ("code", "size_krw")
    search_fields = ("code", "name_ko", "name_en")
    inlines = (AnnualPlanInline,)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    """The ledger is read-only here: commitments are made by decisions, through the service."""

    list_display = (
        "created_at",
        "channel",
        "year",
        "amount_krw",
        "region",
        "ai_related",
        "proposal",
    )
    list_filter = ("channel", "year", "ai_related", "region")
    search_fields = ("proposal__title", "note")
    list_select_related = ("channel", "proposal")


# Site content is changed on the editor pages (/editor/), whose services write audit rows
# and keep the waitlist consistent; the admin only shows it.


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("title", "pinned", "published", "published_at", "author", "updated_at")
    list_filter = ("published", "pinned")
    search_fields = ("title", "body")
    list_select_related = ("author",)


@admin.register(Faq)
class FaqAdmin(ReadOnlyAdmin):
    list_display = ("question", "category", "order", "published")
    list_filter = ("category", "published")
    search_fields = ("question", "answer")


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "starts_at", "capacity", "published")
    list_filter = ("kind", "published")
    search_fields = ("title",)


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    """E-mail addresses are masked on the list; opening a registration is a view of its
    personal data, recorded in the access log."""

    list_display = (
        "event",
        "name",
        "organization",
        "masked_email",
        "status",
        "waitlist_position",
        "created_at",
        "mail_sent_kind",
        "mail_sent_at",
    )
    list_filter = ("status", "event")
    search_fields = ("name", "organization", "email")
    list_select_related = ("event",)

    @admin.display(description=_("e-mail"))
    def masked_email(self, obj: Registration) -> str:
        return privacy.mask_email(obj.email)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        registration = self.get_object(request, unquote(object_id))
        if response.status_code == 200 and registration and registration.erased_at is None:
            privacy.access_record(
                actor=request.user,
                action=privacy.PersonalDataAction.VIEW,
                kind=privacy.PersonalDataKind.REGISTRATION,
                record_ids=[registration.pk],
                path=request.get_full_path(),
            )
        return response


class AgendaItemInline(admin.TabularInline):
    """Read-only here: agendas change through fund.review.services, which checks each
    proposal's stage."""

    model = AgendaItem
    extra = 0
    fields = ("position", "review", "added_by", "added_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CommitteeMeeting)
class CommitteeMeetingAdmin(AuditedAdmin):
    list_display = ("meets_at", "body", "title", "location", "created_by")
    list_filter = ("body",)
    search_fields = ("title", "location")
    list_select_related = ("created_by",)
    readonly_fields = ("created_by", "created_at")
    inlines = (AgendaItemInline,)

    def has_add_permission(self, request):
        return False


@admin.register(ReviewComment)
class ReviewCommentAdmin(ReadOnlyAdmin):
    """Comments are append-only: the admin only reads them."""

    list_display = ("created_at", "review", "author")
    search_fields = ("body", "review__proposal__title")
    list_select_related = ("review", "author")


@admin.register(SavedView)
class SavedViewAdmin(AuditedAdmin):
    list_display = ("owner", "name", "page", "querystring", "created_at")
    search_fields = ("name", "owner__username")
    list_select_related = ("owner",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FundQuestion)
class FundQuestionAdmin(ReadOnlyAdmin):
    """Read-only: questions change only through KEIT's relay and the applicant's answer."""

    list_display = ("asked_at", "proposal", "relayed_at", "answered_at")
    search_fields = ("proposal__title", "question", "answer")
    list_select_related = ("proposal",)
