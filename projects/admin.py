from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin
from projects.models import (
    LinkRequest,
    Membership,
    Organisation,
    Place,
    Project,
    ProjectChange,
    ProjectSettlement,
)


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


class ProjectSettlementInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ProjectSettlement
    extra = 0
    raw_id_fields = ["place"]


class ProjectChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ProjectChange
    extra = 0
    fields = readonly_fields = [
        "created_at",
        "action",
        "what_changed",
        "reason",
        "by_staff",
        "acting_organisation",
        "acting_user",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("acting_organisation", "acting_user")

    @admin.display(description=_("what changed"))
    def what_changed(self, change):
        if not hasattr(self, "records"):
            # The companies and settlements the whole history names, fetched once for all its
            # rows (an inline is made anew for each request).
            history = list(ProjectChange.objects.filter(project_id=change.project_id))
            self.records = ProjectChange.attach_records(history)[0].records
        change.records = self.records
        return format_html_join(
            mark_safe("<br>"),
            "{}: {} → {}",
            ((label, old, new) for label, old, new in change.change_rows()),
        )


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: a project is added and changed on the site's form (`services.save_project`),
    which asks for a reason and logs the change in the project's public history; a moderator
    edits any project there, logged as the moderators'."""

    list_display = ["__str__", "operator", "sector", "status", "is_bri", "primary_settlement"]
    list_filter = ["sector", "status", "is_bri", "investment_currency"]
    search_fields = ["name_kk", "name_ru", "name_en", "operator__name_ru", "operator__bin"]
    list_select_related = ["operator", "primary_settlement"]
    readonly_fields = ["edit_on_site"]
    fields = ["edit_on_site", "slug", *Project.TRACKED_FIELDS]
    inlines = [ProjectSettlementInline, ProjectChangeInline]

    @admin.display(description=_("Edit"))
    def edit_on_site(self, project):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("projects:project_edit", kwargs={"slug": project.slug}),
            _("Edit this project on the site (the change and its reason are shown publicly)"),
        )


@admin.register(LinkRequest)
class LinkRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: requests are made by the services and answered by the other organisation's
    administrators on their own page (`projects.views.link_requests`)."""

    list_display = ["__str__", "kind", "status", "created_at", "decided_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["requested_by", "organisation", "user"]
