"""Published hearings as rows, for the bulk downloads (see `portal.downloads`)."""

from django.db.models import F
from django.utils import translation

from core.opendata import Column, chunks, joined_codes, written
from hearings import clock
from hearings.models import (
    Art87Subparagraph,
    DecisionNotice,
    Hearing,
    HearingFailure,
    HearingFormat,
    LegalBasis,
    ObjectCategory,
    ParticipationForm,
    Rule,
)

# The legal clock, one group of columns per step (as the API's `deadlines`): the due day, the
# state, the source (in English) and whether the rule is verified (only then can it be broken).
CLOCK_STEPS = {
    Rule.Measures.REQUEST_ANSWER: "Akimat's answer to the request",
    Rule.Measures.MATERIALS: "Materials available",
    Rule.Measures.ANNOUNCEMENT: "Announcement published",
    Rule.Measures.COMMENTS: "Written comments accepted",
    Rule.Measures.DISCUSSION: "Public discussion window",
    Rule.Measures.PROTOCOL: "Protocol published",
    Rule.Measures.VALIDITY: "Draft sent to the ministry",
}
CLOCK_STATES = [
    clock.MET,
    clock.ON_TRACK,
    clock.DUE,
    clock.BROKEN,
    clock.RUNNING,
    clock.OFF_GUIDANCE,
    clock.NOT_JUDGED,
]


def _clock_columns():
    columns = []
    for key, label in CLOCK_STEPS.items():
        columns += [
            Column(
                f"clock_{key}_due", "date", f"{label}: due", "Empty when the step does not apply."
            ),
            Column(
                f"clock_{key}_state",
                "string",
                f"{label}: state",
                "As on the hearing's page and in the API's `deadlines`: `broken` only by a "
                "verified rule; `off_guidance` is the site's expectation, never a breach of law.",
                CLOCK_STATES,
            ),
            Column(f"clock_{key}_source", "string", f"{label}: legal source", ""),
            Column(
                f"clock_{key}_verified",
                "boolean",
                f"{label}: rule verified",
                "True only for a rule verified against the official text.",
            ),
        ]
    return columns


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
    Column(
        "art87_subparagraph",
        "string",
        "Basis",
        "As the ministry's portal names it: an Art. 87 sub-paragraph, the group 3-8, or r165 "
        "(Rules No. 165, 2023); not verified against the texts.",
        Art87Subparagraph,
    ),
    Column("request_received_on", "date", "Initiator's request received by the akimat on", ""),
    Column("request_answered_on", "date", "Akimat answered the request on", ""),
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
    Column("failure_kind", "string", "Did not take place: what happened", "", HearingFailure.Kind),
    Column("failure_reason", "string", "Did not take place: reason", ""),
    Column("repeat_of", "integer", "Repeat of", "The hearing that did not take place (`id`)."),
    Column("decision_outcome", "string", "Decision: outcome", "", DecisionNotice.Outcome),
    Column("decision_on", "date", "Decision: taken on", ""),
    Column("decision_authority", "string", "Decision: who decided", ""),
    Column("decision_reasons", "string", "Decision: reasons and considerations", ""),
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
    *_clock_columns(),
]
# Read from related rows; every other column but the computed ones from its own field.
RELATED = {
    "project": F("project__slug"),
    "initiator": F("initiator__slug"),
    "organiser": F("organiser__slug"),
    "failure_kind": F("failure__kind"),
    "failure_reason": F("failure__reason"),
    "decision_outcome": F("decision_notice__outcome"),
    "decision_on": F("decision_notice__decided_on"),
    "decision_authority": F("decision_notice__authority"),
    "decision_reasons": F("decision_notice__reasons"),
}
CLOCK = {c.name for c in COLUMNS if c.name.startswith("clock_")}
READ = [c for c in COLUMNS if c.name not in {"url", "territory", *CLOCK}]


def rows(url_template):
    """Every published hearing (cancelled ones included), by id."""
    values = Hearing.objects.published().order_by("pk").values_list(*written(READ, **RELATED))
    names = [c.name for c in READ]
    for chunk in chunks(values):
        ids = [record[0] for record in chunk]  # `id` is the first column
        territory = joined_codes(
            Hearing.territory.through.objects.filter(hearing_id__any=ids)
            .order_by("place__kato_code")
            .values_list("hearing_id", "place__kato_code")
        )
        clocks = _clock_values(ids)
        for pk, record in zip(ids, chunk, strict=True):
            row = dict(zip(names, record, strict=True), **clocks[pk])
            row.update(url=url_template.format(pk), territory=territory.get(pk))
            yield {c.name: row[c.name] for c in COLUMNS}


def _clock_values(ids):
    """{hearing id: the clock's columns}, the rule sets and calendar read once for the chunk."""
    hearings = clock.prepare(Hearing.objects.filter(pk__in=ids))
    values = {}
    with translation.override("en"):  # the sources in English, as the columns' titles
        for hearing in hearings:
            values[hearing.pk] = _clock_row(hearing)
    return values


def _clock_row(hearing):
    row = dict.fromkeys(CLOCK)
    for deadline in clock.deadlines(hearing):
        if deadline.key not in CLOCK_STEPS:
            continue  # the warnings (public holidays, a late window) are not rules
        row[f"clock_{deadline.key}_due"] = deadline.due.isoformat()
        row[f"clock_{deadline.key}_state"] = deadline.state
        row[f"clock_{deadline.key}_source"] = str(deadline.source) or None
        row[f"clock_{deadline.key}_verified"] = deadline.verified
    return row
