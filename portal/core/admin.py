"""Admin pieces every app shares, and the core's own tables: the personal-data access log."""

from django.contrib import admin
from django.db import connection
from django.utils.translation import gettext_lazy as _

from portal.core.models import PersonalDataAccess

RECORDS_SHOWN = 10


class ReadOnlyAdmin(admin.ModelAdmin):
    """A model the admin shows but never changes: its rows change only through the services,
    which check the state, take the locks and write the audit log."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    """Read-only: the access log is only appended to (portal.core.privacy). A number in the
    search box finds the rows about that registration or consultation."""

    list_display = (
        "created_at",
        "actor_username",
        "action",
        "kind",
        "row_count",
        "records",
        "path",
    )
    list_filter = ("action", "kind")
    search_fields = ("actor_username", "path")
    date_hierarchy = "created_at"

    @admin.display(description=_("records"))
    def records(self, obj: PersonalDataAccess) -> str:
        ids = [str(pk) for pk in obj.record_ids[:RECORDS_SHOWN]]
        more = len(obj.record_ids) - RECORDS_SHOWN
        return ", ".join(ids) + (f" … (+{more})" if more > 0 else "")

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        # JSON containment is a PostgreSQL feature; on SQLite (make run) the box searches text.
        if term.isdigit() and len(term) <= 18 and connection.features.supports_json_field_contains:
            queryset |= self.model.objects.filter(record_ids__contains=[int(term)])
        return queryset, may_have_duplicates
