from django.contrib import admin

from maillage.structures.models import Invitation, Membership, Structure


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "structure"
    extra = 0
    raw_id_fields = ["user", "invited_by"]


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["nom", "type", "commune", "siret", "is_active"]
    list_filter = ["type", "is_active"]
    search_fields = ["nom", "siret", "commune__nom"]
    raw_id_fields = ["commune"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "structure", "territory_level", "territory_code", "is_active"]
    list_filter = ["role", "is_active", "territory_level"]
    search_fields = ["user__email", "structure__nom", "territory_code"]
    raw_id_fields = ["user", "structure", "invited_by"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "structure", "territory_code", "expires_at", "accepted_at", "cancelled_at"]
    exclude = ["token_hash"]
    readonly_fields = ["invited_by", "accepted_at", "cancelled_at"]
