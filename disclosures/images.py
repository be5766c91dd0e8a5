"""The one place where uploaded photos are checked and processed.

An upload is trusted for nothing: not its name, not its declared type. Pillow must recognise it as
JPEG, PNG or WebP from its header, with dimensions under a bound checked before any pixel is
decoded (a JPEG is then decoded at reduced scale, a PNG or WebP only when it is small), and then
decode it completely, once; the EXIF orientation is applied to the pixels and
then every bit of metadata (EXIF with GPS, XMP, ICC, text chunks) is left behind, because only
the decoded pixels are written out again, under a random name, as a web size and a thumbnail.
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 15 * 1024 * 1024
MAX_PHOTOS_PER_DISCLOSURE = 20
# Decoded, a photo costs 3-4 bytes per pixel, and processing holds about three copies. 16
# megapixels (a 12-megapixel phone photo fits) is at most ~200 MB per worker, so four workers
# decoding at once stay under a gigabyte.
MAX_PIXELS = 16_000_000
# A JPEG is decoded at a reduced scale (`draft`), so a 16-megapixel one costs a quarter of its
# size; PNG and WebP have no such shortcut and are decoded whole. A 16-megapixel PNG of 62 KB
# cost ~5 s and over 300 MB per worker: lossless images are bounded by a smaller count, which
# still takes any phone's screenshot (1440 × 3200 is 4.6 megapixels).
MAX_LOSSLESS_PIXELS = 5_000_000
MAX_SIDE = 10_000
WEB_SIZE = 1600
THUMBNAIL_SIZE = 400
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}


def thumbnail_size(width, height):
    """(width, height) of the thumbnail of a `width` × `height` photo (at most THUMBNAIL_SIZE a
    side), for lazy-loaded <img>; a square when the size is unknown."""
    if not (width and height):
        return THUMBNAIL_SIZE, THUMBNAIL_SIZE
    scale = min(1, THUMBNAIL_SIZE / max(width, height))
    return round(width * scale), round(height * scale)


# Pillow warns above MAX_IMAGE_PIXELS and raises above twice that; we turn the warning into an
# error below too, so that nothing over MAX_PIXELS is ever decoded.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass
class ProcessedImage:
    web: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def _refuse(message, code, **params):
    raise ValidationError(message, code=code, params=params or None)


def _check_size(upload):
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        _refuse(
            _("The photo is %(size)s MB; photos can be at most %(limit)s MB."),
            "image_too_large",
            size=f"{size / 1024 / 1024:.1f}",
            limit=MAX_BYTES // 1024 // 1024,
        )


def _open_header(upload):
    """Identify the upload from its header only (no pixel is decoded) and check its dimensions.

    Pillow's `open` is lazy: it reads the format and the declared size, which is enough to refuse
    a 6,320 × 6,320 PNG of 155 KB before it costs 120 MB to decode.
    """
    _check_size(upload)
    upload.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(upload)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            _refuse_pixels()
        except UnidentifiedImageError:
            _refuse(
                _("This file is not a photo we can read. Upload a JPEG, PNG or WebP image."),
                "image_unreadable",
            )
        except (OSError, SyntaxError, ValueError):
            _refuse(
                _("The photo is damaged or incomplete and cannot be opened. Try another copy."),
                "image_damaged",
            )
    if image.format not in ALLOWED_FORMATS:
        _refuse(
            _("Photos must be JPEG, PNG or WebP images; this file is %(format)s."),
            "image_format",
            format=image.format or "?",
        )
    width, height = image.size
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE or min(width, height) < 1:
        _refuse_pixels()
    if image.format != "JPEG" and width * height > MAX_LOSSLESS_PIXELS:
        _refuse(
            _(
                "PNG and WebP images can have at most %(limit)s megapixels. Send the photo as "
                "the phone took it (JPEG)."
            ),
            "image_too_many_pixels",
            limit=MAX_LOSSLESS_PIXELS // 1_000_000,
        )
    return image


def _refuse_pixels():
    _refuse(
        _("The image is too large: at most %(limit)s megapixels are accepted."),
        "image_too_many_pixels",
        limit=MAX_PIXELS // 1_000_000,
    )


def _open_checked(upload):
    """Check the header, then decode the pixels once; a clear ValidationError for anything wrong."""
    image = _open_header(upload)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            if image.format == "JPEG":
                # Decode a JPEG at the smallest scale that still covers the web size: a
                # 12-megapixel photo costs a quarter of the memory.
                image.draft("RGB", (WEB_SIZE, WEB_SIZE))
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            _refuse_pixels()
        except (OSError, SyntaxError, ValueError, EOFError):
            _refuse(
                _("The photo is damaged or incomplete and cannot be opened. Try another copy."),
                "image_damaged",
            )
    return image


def _encode(image, max_side):
    """Resize to at most `max_side` and encode from pixels only, so no metadata survives."""
    copy = image.copy()
    copy.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    if copy.mode in ("RGBA", "LA") or (copy.mode == "P" and "transparency" in copy.info):
        copy = copy.convert("RGBA")
        clean = Image.new("RGBA", copy.size)
        clean.paste(copy)
        clean.save(buffer, format="PNG", optimize=True)
        extension = "png"
    else:
        copy = copy.convert("RGB")
        clean = Image.new("RGB", copy.size)
        clean.paste(copy)
        clean.save(buffer, format="JPEG", quality=85, optimize=True)
        extension = "jpg"
    return buffer.getvalue(), extension, clean.size


def process_image(upload):
    """Check an uploaded photo and return its web size and thumbnail, metadata-free.

    Raises ValidationError with a message for the person uploading.
    """
    image = _open_checked(upload)
    try:
        image = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError):
        pass  # a broken EXIF block: keep the pixels as they are; the metadata goes anyway
    name = uuid.uuid4().hex
    web, extension, (width, height) = _encode(image, WEB_SIZE)
    thumb, thumb_extension, _size = _encode(image, THUMBNAIL_SIZE)
    return ProcessedImage(
        web=ContentFile(web, name=f"{name}.{extension}"),
        thumbnail=ContentFile(thumb, name=f"{name}-thumb.{thumb_extension}"),
        width=width,
        height=height,
    )


def validate_image(upload):
    """Form-field validator: the cheap checks (size, format, dimensions) from the header only.

    The pixels are decoded once, later, by `process_image`; a file whose body is damaged is
    refused there with the same kind of message.
    """
    _open_header(upload)
    upload.seek(0)
