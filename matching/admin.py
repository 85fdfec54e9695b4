from django.contrib import admin

from matching.models import MatchResult, RescoreRun, RuleSet


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    """Read-only here: rule sets change only through the staff pages' services."""

    list_display = ["version", "name", "status", "activated_at", "retired_at"]
    readonly_fields = [f.name for f in RuleSet._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MatchResult)
class MatchResultAdmin(admin.ModelAdmin):
    list_display = ["proposal", "channel", "rule_set", "eligible", "score", "computed_at"]
    list_filter = ["channel", "eligible", "rule_set"]
    list_select_related = ["proposal", "rule_set"]
    readonly_fields = [f.name for f in MatchResult._meta.fields]
    raw_id_fields = ["proposal"]

    def has_add_permission(self, request):
        return False


@admin.register(RescoreRun)
class RescoreRunAdmin(admin.ModelAdmin):
    list_display = ["id", "rule_set", "total_proposals", "created_at", "finished_at"]
    readonly_fields = [f.name for f in RescoreRun._meta.fields]
