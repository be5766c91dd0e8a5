"""Published hearings as rows, for the bulk downloads (see `portal.downloads`)."""

from django.db.models import F

from core.opendata import Column, blank_as_none, chunks, iso, joined_codes
from hearings.models import Hearing, HearingFormat, LegalBasis, ObjectCategory, ParticipationForm

COLUMNS = [
    Column("id", "integer", "Id", "The hearing's number; its page is `url`.", required=True),
    Column("url", "string", "Page", "The hearing's public page.", format="uri"),
    Column("registration_number", "string", "Registration number", ""),
    Column("status", "string", "Status", "", [s for s in Hearing.Status.values if s != "draft"]),
    Column("title_kk", "string", "Title in Kazakh", ""),
    Column("title_ru", "string", "Title in Russian", ""),
    Column("title_en", "string", "Title in English", ""),
    Column("subject_kk", "string", "Planned activity, in Kazakh", ""),
    Column("subject_ru", "string", "Planned activity, in Russian", ""),
    Column("subject_en", "string", "Planned activity, in English", ""),
    Column("project", "string", "Project", "`projects.slug`, if any."),
    Column("legal_basis", "string", "Legal basis", "", LegalBasis),
    Column("initiator", "string", "Initiator", "The company (`organisations.slug`)."),
    Column("organiser", "string", "Organiser", "The akimat (`organisations.slug`)."),
    Column(
        "territory",
        "string",
        "Territory of impact",
        "KATO codes of the places concerned, separated by spaces.",
    ),
    Column("form", "string", "Form of the hearing", "", ParticipationForm),
    Column("format", "string", "Format", "", HearingFormat),
    Column("starts_at", "datetime", "Starts at", "UTC."),
    Column("discussion_ends_on", "date", "Public discussion open until", ""),
    Column("venue_kk", "string", "Venue, in Kazakh", ""),
    Column("venue_ru", "string", "Venue, in Russian", ""),
    Column("venue_en", "string", "Venue, in English", ""),
    Column("online_link", "string", "Online link", ""),
    Column("languages", "string", "Languages", "Language codes separated by commas."),
    Column("materials_available_from", "date", "Materials available from", ""),
    Column("comments_until", "date", "Comments accepted until", ""),
    Column("portal_number", "string", "Number on the official portal", ""),
    Column("portal_url", "string", "Page on the official portal", ""),
    Column(
        "portal_published_on",
        "date",
        "Published on the official portal on",
        "With the mass-media publication, what the notice period counts from (the earlier).",
    ),
    Column("media_outlet", "string", "Mass media outlet", "Where the notice was published."),
    Column("media_published_on", "date", "Published in the mass media on", ""),
    Column("media_url", "string", "Link to the publication in the mass media", ""),
    Column("object_category", "string", "Category of the object", "", ObjectCategory),
    Column("announced_at", "datetime", "Announced", "UTC."),
    Column("rescheduled_at", "datetime", "Last rescheduled", "UTC."),
    Column("held_at", "datetime", "Marked as held", "UTC."),
    Column("record_published_at", "datetime", "Record published", "UTC."),
    Column("protocol_signed_on", "date", "Protocol signed on", ""),
    Column(
        "ended_before_assessment",
        "boolean",
        "Ended before the quality assessment began",
        "The draft report on possible impacts only (Ecological Code Art. 73(1)); empty: not known.",
    ),
    Column("draft_sent_on", "date", "Draft report sent to the ministry on", ""),
    Column("attendance", "integer", "People attending", ""),
    Column("video_url", "string", "Video recording", ""),
    Column("cancelled_at", "datetime", "Cancelled", "UTC."),
    Column("cancellation_reason", "string", "Reason for cancelling", ""),
    Column(
        "cancellation_reason_language",
        "string",
        "Reason for cancelling: written in",
        "The language of `cancellation_reason`: kk, ru or en.",
        ["kk", "ru", "en"],
    ),
    Column(
        "language",
        "string",
        "Contacts written in",
        "The language of the contacts, the initiator's representative, the developer of the "
        "documents and the body the materials went to: kk, ru or en.",
        ["kk", "ru", "en"],
    ),
    Column(
        "translations",
        "object",
        "Added translations",
        "Versions of the texts typed in one language, added later in other languages: "
        '{field: {language: text}}, e.g. {"organiser_contact": {"kk": "…"}} (JSON text in CSV); '
        "the text columns keep the original.",
    ),
    Column("updated_at", "datetime", "Last changed", "UTC."),
]
COMPUTED = {"url", "project", "initiator", "organiser", "territory"}
DATES = [c.name for c in COLUMNS if c.type in {"date", "datetime"}]


def rows(url_template):
    """Every published hearing (cancelled ones included), by id."""
    values = (
        Hearing.objects.published()
        .order_by("pk")
        .values(
            *(c.name for c in COLUMNS if c.name not in COMPUTED),
            project_slug=F("project__slug"),
            initiator_slug=F("initiator__slug"),
            organiser_slug=F("organiser__slug"),
        )
    )
    for chunk in chunks(values):
        territory = joined_codes(
            Hearing.territory.through.objects.filter(hearing_id__any=[r["id"] for r in chunk])
            .order_by("place__kato_code")
            .values_list("hearing_id", "place__kato_code")
        )
        for row in chunk:
            row.update(
                url=url_template.format(row["id"]),
                project=row.pop("project_slug"),
                initiator=row.pop("initiator_slug"),
                organiser=row.pop("organiser_slug"),
                territory=territory.get(row["id"]),
                **{name: iso(row[name]) for name in DATES},
            )
            yield {c.name: blank_as_none(row[c.name]) for c in COLUMNS}
