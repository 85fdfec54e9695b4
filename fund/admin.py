from django.contrib import admin

from .models import AnnualPlan, Channel, Commitment


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
