import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.factories import bind_rules


def local_at(days, hour=11):
    """An aware instant `days` days from today (Kazakhstan date) at `hour` local time."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@pytest.fixture(autouse=True)
def _hearing_settings(settings):
    settings.HEARING_REMINDER_DAYS = 3
    settings.SITE_URL = "https://ashyq.example"
    cache.clear()


@pytest.fixture
def binding_rules(db):
    """Every rule of the legal clock verified, so that it binds (see `factories.bind_rules`)."""
    bind_rules()
