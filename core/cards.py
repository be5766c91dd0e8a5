"""A card's markup filled in with its values, and its shared labels translated once a list: the
one escaping path of the contribution, hearing and project cards and the place figures
(disclosures/templatetags/, hearings/templatetags/hearing_cards.py,
projects/templatetags/project_cards.py), which every list and place page shows by the dozen."""

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


def once(labels, key, label):
    """`label` (a lazy translation: a status's, a category's, named by `key`) as plain text,
    translated once for all the cards of a list that share `labels`: a lazy label is translated
    again at each use."""
    if key not in labels:
        labels[key] = str(label)
    return labels[key]
