"""Image decoding is bounded in pixels before any full decode: a 16-megapixel PNG of a few dozen
KB (which decoded whole cost ~5 s and 300 MB per worker) is refused from its header, and a
16-megapixel JPEG is decoded at a reduced scale. The bound is on what is decoded, so the tests
measure the decoded pixels, not the time."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from disclosures import images


@pytest.fixture
def decoded(monkeypatch):
    """The size of every image whose pixels are decoded (after any `draft`)."""
    sizes = []
    original = ImageFile.ImageFile.load

    def load(self):
        if self.tile:  # pixels still to decode
            sizes.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return sizes


def encoded(size, fmt, mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, (20, 90, 160) if mode == "RGB" else 0).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_a_sixteen_megapixel_lossless_bomb_is_refused_undecoded(decoded, fmt):
    bomb = encoded((4000, 4000), fmt)
    assert len(bomb) < 100_000  # a few dozen KB on the wire
    for check in (images.validate_image, images.process_image):
        with pytest.raises(ValidationError) as caught:
            check(SimpleUploadedFile("bomb.png", bomb))
        assert caught.value.code == "image_too_many_pixels"
        assert "JPEG" in caught.value.messages[0]
    assert decoded == []


def test_a_sixteen_megapixel_jpeg_is_decoded_at_a_quarter_of_its_size(decoded):
    processed = images.process_image(SimpleUploadedFile("p.jpg", encoded((4000, 4000), "JPEG")))
    assert max(processed.width, processed.height) == images.WEB_SIZE
    assert decoded and all(w * h <= 4_000_000 for w, h in decoded)


def test_a_phone_screenshot_png_is_still_accepted(decoded):
    processed = images.process_image(SimpleUploadedFile("s.png", encoded((1440, 3200), "PNG")))
    assert processed.height == images.WEB_SIZE
    assert all(w * h <= images.MAX_LOSSLESS_PIXELS for w, h in decoded)
