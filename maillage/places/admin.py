from django.contrib import admin

from maillage.places.models import ImportBatch, OrientationLink, PhoneCall, Place, QuarantinedRow


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["nom", "commune_nom", "dataset", "local_id", "is_published", "missing_since"]
    list_filter = ["is_published", "dataset", "position_origin"]
    search_fields = ["nom", "commune_nom", "local_id", "pivot"]
    raw_id_fields = ["commune", "structure", "merged_into", "import_batch"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["filename", "dataset", "status", "created_at", "dry_run"]
    list_filter = ["status", "dry_run"]
    readonly_fields = ["report", "detected"]


@admin.register(QuarantinedRow)
class QuarantinedRowAdmin(admin.ModelAdmin):
    list_display = ["batch", "line", "dataset", "status"]
    list_filter = ["status", "dataset"]
    raw_id_fields = ["batch", "place"]


@admin.register(PhoneCall)
class PhoneCallAdmin(admin.ModelAdmin):
    list_display = ["created_at", "commune", "need", "outcome"]
    list_filter = ["outcome"]
    raw_id_fields = ["commune", "operator"]
    filter_horizontal = ["places"]


admin.site.register(OrientationLink)
