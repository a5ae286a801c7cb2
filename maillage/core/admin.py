from django.contrib import admin

from maillage.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the journal is append-only."""

    list_display = ["created_at", "actor", "action", "object_repr", "departement_code", "personal_data"]
    list_filter = ["action", "personal_data", "departement_code"]
    search_fields = ["object_repr", "actor__email", "object_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
