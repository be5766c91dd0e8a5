"""Sign-in throttling (django-axes) and the security headers of every kind of response."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import DisclosureFactory, PhotoFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def sign_in(client, email, password):
    with translation.override("en"):
        url = reverse("login")
    return client.post(url, {"username": email, "password": password})


@pytest.fixture
def person():
    user = UserFactory(email="aigerim@example.kz", username="aigerim@example.kz")
    user.set_password(PASSWORD)
    user.save()
    return user


def test_wrong_passwords_lock_the_sign_in_even_with_the_right_one(client, person, settings):
    """After AXES_FAILURE_LIMIT failures the right password no longer signs in (429)."""
    for _n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, person.email, "wrong").status_code == 200
    assert sign_in(client, person.email, "wrong").status_code == 429
    response = sign_in(client, person.email, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    body = response.content.decode()
    assert "15" in body and response["Retry-After"] == "900"


def test_lockout_gives_no_hint_whether_the_account_exists(client, person, settings):
    """The lockout page for an unknown e-mail is word for word the one for a real account."""
    pages = []
    for email in (person.email, "nobody@example.kz"):
        for _n in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, email, "wrong")
        response = sign_in(client, email, "wrong")
        assert response.status_code == 429
        pages.append(response.content.decode().replace(email, ""))
    assert pages[0] == pages[1]


def test_a_success_resets_the_count(client, person, settings):
    for _n in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, person.email, "wrong")
    assert sign_in(client, person.email, PASSWORD).status_code == 302
    client.logout()
    for _n in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, person.email, "wrong")
    assert sign_in(client, person.email, PASSWORD).status_code == 302


HTML_PAGES = ["/kk/", "/ru/disclosures/", "/en/hearings/", "/en/accounts/login/", "/en/nowhere/"]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_html_pages_carry_every_security_header(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404)
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no nonce-less inline
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "tile.openstreetmap.org" in directives["img-src"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_pages_have_no_inline_script(client):
    """Every <script> is a file from this site or a JSON data block (not executed)."""
    import re

    DisclosureFactory(published=True)
    for path in HTML_PAGES[:3]:
        body = client.get(path).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", body):
            assert "src=" in tag or 'type="application/json"' in tag, tag
        assert " on" + "click=" not in body and "javascript:" not in body


def test_uploaded_files_keep_their_own_sandboxing_policy(client):
    photo = PhotoFactory()
    response = client.get(photo.image.url)
    assert response["Content-Security-Policy"] == "default-src 'none'; img-src 'self'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_session_and_csrf_cookies_are_http_only_where_they_can_be(client, settings):
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SECURE_CONTENT_TYPE_NOSNIFF is True
