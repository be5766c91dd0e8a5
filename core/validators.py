from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

KATO_LENGTH = 9

# Dates anyone may enter: the republic's years, with room ahead for long promises. Beyond them a
# date is a typo or an attack, and year 9999 or 0001 overflows the deadline arithmetic.
EARLIEST_YEAR = 1991
LATEST_YEAR = 2100

# The longest list of places (settlements, territories, codes or names) one field, one API
# request or one imported row may carry. A project or a hearing concerns a few dozen places at
# most; each name costs a search, so a list of thousands would hold a worker past its timeout.
MAX_PLACES_PER_LIST = 200
# The longest text one place in such a list may take (the longest KATO name is under 100).
MAX_PLACE_NAME_LENGTH = 150


def check_list_size(values, limit=MAX_PLACES_PER_LIST):
    """Refuse a list longer than `limit` before any work is done on its items."""
    count = len(values)
    if count > limit:
        raise ValidationError(
            _("At most %(limit)s places can be given here; this list has %(count)s."),
            code="too_many",
            params={"limit": limit, "count": count},
        )


def validate_email_domain_name(value):
    """An e-mail address at a domain name: `someone@[127.0.0.1]` (an IP literal, which Django's
    validator accepts) would have the site send mail to any server an outsider names."""
    domain = str(value).rpartition("@")[2]
    if domain.startswith("["):
        raise ValidationError(
            _("Give an e-mail address with a domain name, such as name@mail.kz."),
            code="ip_literal",
        )


def check_date_range(value):
    """Refuse a date outside the republic's years (EARLIEST_YEAR to LATEST_YEAR)."""
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s."),
            code="date_range",
            params={"first": EARLIEST_YEAR, "last": LATEST_YEAR},
        )


def bin_check_digit(first_eleven):
    """The check digit of a Kazakh BIN/IIN, or None when the number can have none.

    The 12th digit is the sum of the first eleven weighted 1..11, modulo 11; when that is 10 the
    weights 3..11,1,2 are tried, and a second 10 means no valid number has these eleven digits.
    """
    digits = [int(c) for c in first_eleven]
    for weights in (range(1, 12), [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]):
        check = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if check != 10:
            return check
    return None


def validate_bin(value):
    """A BIN is 12 digits whose last one is its check digit."""
    if not (isinstance(value, str) and len(value) == 12 and value.isascii() and value.isdigit()):
        raise ValidationError(
            _("A BIN has exactly 12 digits, e.g. 180240012345."), code="bin_format"
        )
    if bin_check_digit(value[:11]) != int(value[11]):
        raise ValidationError(
            _("This BIN's check digit does not match: please check the number for a typo."),
            code="bin_checksum",
        )


def is_kato_code(value):
    """Nine ASCII digits: the shape of every KATO code (a cookie's or a query's value is checked
    with this before it reaches a query)."""
    return (
        isinstance(value, str) and len(value) == KATO_LENGTH and value.isascii() and value.isdigit()
    )


def validate_kato_code(value):
    if not is_kato_code(value):
        raise ValidationError(_("A KATO code has exactly 9 digits."), code="kato_format")


PDF_MAX_BYTES = 20 * 1024 * 1024


def validate_pdf(upload, max_bytes=PDF_MAX_BYTES):
    """A PDF recognised by its content, not its name, and not too big.

    The file must start with the `%PDF-` signature (an HTML or SVG page with `%PDF-` somewhere
    in it is not a PDF, whatever a lenient reader makes of it) and end with the `%%EOF` marker
    (a truncated upload is refused rather than stored as a broken document).
    """
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s MB; documents can be at most %(limit)s MB."),
            code="pdf_too_large",
            params={
                "size": f"{upload.size / 1024 / 1024:.1f}",
                "limit": max_bytes // 1024 // 1024,
            },
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(max(0, upload.size - 1024))
    tail = upload.read(1024)
    upload.seek(0)
    if not head.startswith(b"%PDF-") or b"%%EOF" not in tail:
        raise ValidationError(
            _("This file is not a PDF document. Please upload the document as a PDF."),
            code="not_pdf",
        )
