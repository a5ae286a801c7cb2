from django.contrib import admin

from maillage.territories.models import Commune, Departement, Epci, ReferenceLoad, Region


class ReadOnlyAdmin(admin.ModelAdmin):
    """The reference is loaded by `maillage territories load`, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Commune)
class CommuneAdmin(ReadOnlyAdmin):
    list_display = ["code", "nom", "departement", "epci", "population"]
    search_fields = ["code", "nom"]
    list_filter = ["type", "departement__region"]
    exclude = ["geometry"]


admin.site.register([Region, Departement, Epci, ReferenceLoad], ReadOnlyAdmin)
