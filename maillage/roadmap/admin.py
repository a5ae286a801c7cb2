"""Administration of what the pages do not edit yet: funders, bodies and members, workshops, fund movements."""

from django.contrib import admin

from maillage.roadmap.models import (
    Action,
    AllocationShare,
    Body,
    BodyMember,
    Document,
    FinancingLine,
    Fund,
    Funder,
    FundMovement,
    Indicator,
    Meeting,
    PostAllocation,
    Roadmap,
    Workshop,
)


@admin.register(Roadmap)
class RoadmapAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "territory_level", "territory_code", "start_year", "end_year", "status"]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "roadmap", "status"]
    list_filter = ["roadmap", "status"]
    search_fields = ["code", "title"]
    raw_id_fields = ["group", "places"]
    filter_horizontal = ["porteurs", "partners", "themes"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "roadmap", "unit", "source_key", "target"]
    list_filter = ["roadmap"]


@admin.register(Funder)
class FunderAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "roadmap"]
    list_filter = ["roadmap"]


@admin.register(FinancingLine)
class FinancingLineAdmin(admin.ModelAdmin):
    list_display = ["funder", "purpose", "type", "amount", "action", "is_confidential"]
    list_filter = ["roadmap", "type", "is_confidential"]
    raw_id_fields = ["action", "beneficiary"]


class AllocationShareInline(admin.TabularInline):
    model = AllocationShare
    extra = 1


@admin.register(PostAllocation)
class PostAllocationAdmin(admin.ModelAdmin):
    list_display = ["label", "scheme", "posts", "unit_amount", "roadmap"]
    inlines = [AllocationShareInline]


class FundMovementInline(admin.TabularInline):
    model = FundMovement
    extra = 1
    raw_id_fields = ["action", "beneficiary"]


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ["name", "roadmap"]
    inlines = [FundMovementInline]


class BodyMemberInline(admin.TabularInline):
    model = BodyMember
    extra = 1
    raw_id_fields = ["structure", "user"]


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "roadmap"]
    list_filter = ["roadmap", "kind"]
    inlines = [BodyMemberInline]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "body", "date"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "date", "roadmap"]


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "theme", "participant_count", "roadmap"]
    filter_horizontal = ["invited", "participants", "actions"]
