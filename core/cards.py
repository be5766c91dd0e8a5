"""A card's markup filled in with its values: the one escaping path of the contribution and hearing
cards (disclosures/templatetags/disclosure_cards.py, hearings/templatetags/hearing_cards.py),
which every list and place page shows by the dozen."""

from html import escape

from django.utils.safestring import SafeData, SafeString


def fill(markup, **values):
    """`markup` (a `str.format` pattern) with each value escaped once, as Django's `escape`
    does, or kept as it is when it is markup already (`SafeData`: built by `fill`).

    `format_html` does the same through `conditional_escape`, which checks every value for a
    lazy translation and an `__html__` method: half of what marking up a card cost. A card's
    values are plain text (its labels translated once, as `str`), numbers or markup built
    here, so neither check is needed."""
    return SafeString(
        markup.format_map(
            {
                name: value if isinstance(value, SafeData) else escape(str(value))
                for name, value in values.items()
            }
        )
    )
