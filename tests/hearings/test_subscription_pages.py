"""The subscription pages are not dead ends: after subscribing the page says where the e-mail
went, what to do next and what to do if nothing arrives; the confirmation and unsubscribe pages
each lead back. The page the resident came from (`next`) is carried along only when it is a path
on this site."""

import pytest
from django.urls import reverse
from django.utils import translation

from hearings.models import OutboxMessage, Subscription
from hearings.views import mask_email
from tests.factories import HearingFactory, PlaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def village():
    return PlaceFactory()


@pytest.fixture
def hearing(village):
    return HearingFactory(announced=True, territory=[village])


def en(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


def subscribe(client, village, next_url, email="aigerim@mail.kz"):
    return client.post(
        en("hearings:subscribe"), {"email": email, "place": village.kato_code, "next": next_url}
    )


def test_mask_email_keeps_the_domain_and_hides_most_of_the_name():
    assert mask_email("aigerim@mail.kz") == "ai•••••@mail.kz"
    assert mask_email("ab@x.kz") == "a•@x.kz"
    assert mask_email("a@x.kz") == "a•@x.kz"


def test_after_subscribing_the_page_says_where_the_mail_went_and_leads_back(
    client, village, hearing
):
    came_from = en("hearings:detail", hearing.pk)
    body = subscribe(client, village, came_from).content.decode()
    assert "Check your e-mail" in body
    assert "ai•••••@mail.kz" in body
    assert "spam" in body and "Send the e-mail again" in body
    assert f'href="{came_from}"' in body
    assert village.get_absolute_url() in body
    assert f"{en('hearings:list')}?place={village.kato_code}" in body
    # The button to send again posts the same address, place and page.
    assert 'name="email" value="aigerim@mail.kz"' in body
    assert f'name="next" value="{came_from}"' in body


def test_the_confirmation_link_leads_back_to_the_page_the_resident_came_from(
    client, village, hearing
):
    came_from = en("hearings:detail", hearing.pk)
    subscribe(client, village, came_from)
    subscription = Subscription.objects.get()
    message = OutboxMessage.objects.get(subscription=subscription)
    confirm_path = en("hearings:confirm", subscription.token)
    link = f"{confirm_path}?next={came_from.replace('/', '%2F')}"
    assert link in message.body

    page = client.get(link).content.decode()
    assert village.name in page and f'href="{came_from}"' in page
    confirmed = client.post(link).content.decode()
    assert "Subscription confirmed" in confirmed
    assert f'href="{came_from}"' in confirmed and village.get_absolute_url() in confirmed
    subscription.refresh_from_db()
    assert subscription.is_active()


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example",
        "javascript:alert(1)",
        "hearings/1/",
    ],
)
def test_a_next_that_leaves_the_site_is_dropped(client, village, next_url):
    body = subscribe(client, village, next_url).content.decode()
    assert "evil.example" not in body and "javascript:" not in body
    assert "Back to the page you came from" not in body
    message = OutboxMessage.objects.get()
    assert "next=" not in message.body
    assert village.get_absolute_url() in body  # still a way back: the place


def test_the_confirm_page_without_next_leads_to_the_place(client, village):
    subscribe(client, village, "")
    subscription = Subscription.objects.get()
    body = client.post(en("hearings:confirm", subscription.token)).content.decode()
    assert "Back to the page you came from" not in body
    assert village.get_absolute_url() in body


def test_unsubscribing_ends_with_a_way_back_and_a_way_to_subscribe_again(client, village):
    subscribe(client, village, "")
    subscription = Subscription.objects.get()
    url = en("hearings:unsubscribe", subscription.unsubscribe_token)
    assert village.get_absolute_url() in client.get(url).content.decode()
    body = client.post(url).content.decode()
    assert "You are unsubscribed" in body
    assert village.get_absolute_url() in body
    assert f"{en('hearings:subscribe')}?place={village.kato_code}" in body


def test_the_subscribe_form_carries_next_and_leads_back(client, village, hearing):
    came_from = en("hearings:detail", hearing.pk)
    body = client.get(
        en("hearings:subscribe"), {"place": village.kato_code, "next": came_from}
    ).content.decode()
    assert f'name="next" value="{came_from}"' in body
    assert f'href="{came_from}"' in body
