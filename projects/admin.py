from django.contrib import admin

from .models import Membership, Organisation, Place, Project, ProjectSettlement


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["kato_code", "name_kk", "name_ru", "name_en", "level", "kind", "parent"]
    list_filter = ["level", "kind", "prominence"]
    search_fields = ["kato_code", "name_kk", "name_ru", "name_en"]
    readonly_fields = ["path", "depth", "search_key", "slug"]
    raw_id_fields = ["parent"]
    list_select_related = ["parent"]
    show_full_result_count = False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "bin", "country", "owner_countries", "place"]
    list_filter = ["kind", "country"]
    search_fields = ["name_kk", "name_ru", "name_en", "bin"]
    raw_id_fields = ["place"]
    list_select_related = ["place"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__username", "user__email", "organisation__name_ru"]
    raw_id_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


class ProjectSettlementInline(admin.TabularInline):
    model = ProjectSettlement
    extra = 0
    raw_id_fields = ["place"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["__str__", "operator", "sector", "status", "is_bri", "primary_settlement"]
    list_filter = ["sector", "status", "is_bri", "investment_currency"]
    search_fields = ["name_kk", "name_ru", "name_en", "operator__name_ru", "operator__bin"]
    raw_id_fields = ["operator", "primary_settlement"]
    filter_horizontal = ["investors"]
    list_select_related = ["operator", "primary_settlement"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [ProjectSettlementInline]
