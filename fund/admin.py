from django.contrib import admin

from .models import AnnualPlan, Channel, Commitment, Event, Faq, Notice, Registration


class AnnualPlanInline(admin.TabularInline):
    model = AnnualPlan
    extra = 0


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    """Staff edit names, descriptions, terms and size; committed/remaining are computed."""

    list_display = ("code", "name_ko", "name_en", "size_krw", "order")
    search_fields = ("code", "name_ko", "name_en")
    inlines = (AnnualPlanInline,)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Site content is changed on the editor pages (/editor/), whose services write audit rows
    and keep the waitlist consistent; the admin only shows it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
    list_display = (
        "event",
        "name",
        "organization",
        "email",
        "status",
        "waitlist_position",
        "created_at",
        "mail_sent_kind",
        "mail_sent_at",
    )
    list_filter = ("status", "event")
    search_fields = ("name", "organization", "email")
    list_select_related = ("event",)
