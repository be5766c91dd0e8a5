"""The one place where uploaded photos are checked and processed.

An upload is trusted for nothing: not its name, not its declared type. Pillow must recognise it as
JPEG, PNG or WebP and decode it completely; the EXIF orientation is applied to the pixels and
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
MAX_PIXELS = 40_000_000
WEB_SIZE = 1600
THUMBNAIL_SIZE = 400
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}

# Pillow warns above MAX_IMAGE_PIXELS and raises above twice that; we turn the warning into an
# error below too, so that nothing over 40 megapixels is ever decoded.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass
class ProcessedImage:
    web: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def _refuse(message, code, **params):
    raise ValidationError(message, code=code, params=params or None)


def _open_checked(upload):
    """Open, identify and fully decode the upload; a clear ValidationError for anything wrong."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        _refuse(
            _("The photo is %(size)s MB; photos can be at most %(limit)s MB."),
            "image_too_large",
            size=f"{size / 1024 / 1024:.1f}",
            limit=MAX_BYTES // 1024 // 1024,
        )
    upload.seek(0)
    data = upload.read()
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ALLOWED_FORMATS:
                    _refuse(
                        _("Photos must be JPEG, PNG or WebP images; this file is %(format)s."),
                        "image_format",
                        format=probe.format or "?",
                    )
                if probe.width * probe.height > MAX_PIXELS:
                    raise Image.DecompressionBombError("too many pixels")
                probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            _refuse(
                _("The image is too large: at most %(limit)s megapixels are accepted."),
                "image_too_many_pixels",
                limit=MAX_PIXELS // 1_000_000,
            )
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
    """Form-field validator: raises the same clear messages as `process_image`."""
    _open_checked(upload)
