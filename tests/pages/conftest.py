import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """The foundation's tests read English messages; each starts with English active."""
    translation.activate("en")
    yield
    translation.deactivate()
