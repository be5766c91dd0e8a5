"""Redis down (stopped, or nothing listening where REDIS_URL points): residents still read every
page, their forms and the API answer, the outage is logged once, /readyz says which caches are
not ready, and sharing resumes by itself when Redis is back (core/redis_cache.py)."""

import logging
import socket
import threading

import pytest
import redis
from django.core.cache import caches
from django.test import Client, RequestFactory
from django.urls import reverse

from core import ratelimit, redis_cache
from core.caching import cached
from disclosures.models import Question, ResidentFeedback
from hearings.models import HearingComment, Subscription
from tests.factories import DisclosureFactory, HearingFactory, PlaceFactory, place_tree
from tests.pages.test_figures import shown_figures

from .servers import free_port, start_redis, stop

pytestmark = pytest.mark.django_db

LOGGER = "core.redis_cache"


def use_redis(settings, url, **options):
    """The caches as config/settings.py sets them with REDIS_URL, pointing at `url`, with
    nothing kept in this process's fallback from an earlier test."""
    backend = {
        "BACKEND": "core.redis_cache.FallbackRedisCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, **options},
    }
    settings.CACHES = {
        **settings.CACHES,
        "default": {**backend, "KEY_PREFIX": "aa"},
        "shared": {**backend, "KEY_PREFIX": "aa-shared"},
    }
    for alias in ("default", "shared"):
        caches[alias].local.clear()


@pytest.fixture(autouse=True)
def _no_outage_known(monkeypatch):
    """Each test starts with Redis presumed up (the outage state is per process)."""
    monkeypatch.setattr(redis_cache, "_outages", {})


@pytest.fixture
def redis_down(settings):
    """Both Redis caches point at a loopback port where nothing listens."""
    use_redis(settings, f"redis://127.0.0.1:{free_port()}/0")


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.INFO)
    return caplog


def outage_records(caplog):
    return [r for r in caplog.records if r.name == LOGGER]


def fresh_page(client, url, **kwargs):
    """A page rendered now (not served from this process's page cache)."""
    caches["pages"].clear()
    return client.get(url, **kwargs)


def district_with_contributions():
    places = place_tree()
    for _n in range(3):
        DisclosureFactory(published=True, settlements=[places["village"]])
    DisclosureFactory(published=True, promised=True, settlements=[places["neighbour"]])
    return places["district"]


def test_a_district_page_with_figures_renders_and_logs_once(client, redis_down, logs):
    """The figures are shown right; many pages, one warning with the exception."""
    district = district_with_contributions()
    response = fresh_page(client, district.get_absolute_url())
    assert response.status_code == 200
    rows, _funded, _notes = shown_figures(response.content.decode())
    assert rows["delivered"][0] == 3
    assert rows["promised"][0] == 1
    for _n in range(5):
        assert fresh_page(client, district.get_absolute_url()).status_code == 200
        assert fresh_page(client, "/en/").status_code == 200
    (record,) = [r for r in logs.records if r.levelno >= logging.WARNING]
    assert record.name == LOGGER
    assert "does not answer" in record.getMessage()
    assert isinstance(record.exc_info[1], redis.exceptions.ConnectionError)


@pytest.fixture
def hung_redis():
    """A port that accepts connections and never answers (a Redis stuck, or a black hole):
    yields its URL and the list of connections it took."""
    server = socket.create_server(("127.0.0.1", 0))
    taken = []

    def accept():
        while True:
            try:
                taken.append(server.accept()[0])
            except OSError:  # closed at the end of the test
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0", taken
    server.close()
    for each in taken:
        each.close()


def test_a_hung_redis_is_waited_for_once_not_on_every_call(client, settings, hung_redis, logs):
    """The first call waits for its timeout; then for RETRY_SECONDS this process does not try
    again, so a dozen pages and forms cost one timeout, not one per cache call."""
    url, taken = hung_redis
    use_redis(settings, url, RETRY_SECONDS=3600)
    district = district_with_contributions()
    for _n in range(4):
        assert fresh_page(client, district.get_absolute_url()).status_code == 200
        assert client.post(*hearing_comment("hung")).status_code == 302
        assert client.get("/api/v1/places/").status_code == 200
    assert len(taken) == 1
    (record,) = outage_records(logs)
    assert isinstance(record.exc_info[1], redis.exceptions.TimeoutError)


def feedback(n):
    disclosure = DisclosureFactory(published=True)
    data = {"kind": "seen", "comment": f"I saw the new roof ({n}).", "author_name": ""}
    return reverse("disclosures:feedback", args=[disclosure.pk]), {**data, "contact": ""}


def question(n):
    disclosure = DisclosureFactory(published=True)
    data = {"text": f"When does the second stage start? ({n})", "author_name": ""}
    return reverse("disclosures:question", args=[disclosure.pk]), {**data, "contact": ""}


def hearing_comment(n):
    hearing = HearingFactory(announced=True)
    data = {"kind": "question", "text": f"Will the turbines be noisy? ({n})"}
    return reverse("hearings:comment", args=[hearing.pk]), data


@pytest.mark.parametrize(
    ("form", "model"),
    [(feedback, ResidentFeedback), (question, Question), (hearing_comment, HearingComment)],
)
def test_resident_forms_are_accepted_and_still_limited_per_process(redis_down, logs, form, model):
    """Failing open, bounded: submissions are accepted while Redis is down and counted in this
    process's memory, so a browser still gets its five an hour here; the sixth is refused with
    its text kept. Never a 500."""
    resident = Client()
    for n in range(ratelimit.LIMIT):
        assert resident.post(*form(n)).status_code == 302
    assert model.objects.count() == ratelimit.LIMIT
    response = resident.post(*form("sixth"))
    assert response.status_code == 429
    assert "(sixth)" in response.content.decode()
    assert model.objects.count() == ratelimit.LIMIT
    assert len(outage_records(logs)) == 1


def test_a_subscription_is_accepted(redis_down):
    village = PlaceFactory(parent=PlaceFactory(district=True))
    response = Client().post(
        reverse("hearings:subscribe") + f"?place={village.kato_code}",
        {"email": "aigul@example.org", "place": village.kato_code},
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 200
    assert Subscription.objects.filter(email="aigul@example.org").exists()


def test_the_api_answers_and_still_throttles(settings, redis_down, logs):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "read": "3/minute"}
    PlaceFactory()
    api = Client(headers={"accept-language": "en"})
    for _n in range(3):
        assert api.get("/api/v1/places/").status_code == 200
    response = api.get("/api/v1/places/")
    assert response.status_code == 429
    assert "Too many requests" in response.json()["detail"]
    assert len(outage_records(logs)) == 1


def test_readyz_names_the_redis_caches(client, redis_down):
    """/readyz asks Redis itself, also once pages are being served without it."""
    assert fresh_page(client, "/en/").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content.decode() == "not ready: cache default, cache shared"


def test_an_error_that_is_not_an_outage_still_raises(settings, tmp_path):
    """Only "cannot reach Redis" falls back; a wrong command is a bug and is not hidden."""
    process, url = start_redis(tmp_path)
    try:
        use_redis(settings, url)
        shared = caches["shared"]
        # A list where the cache keeps strings: GET on it is Redis's WRONGTYPE error.
        redis.Redis.from_url(url).rpush(shared.make_key("words"), "not a cache value")
        with pytest.raises(redis.exceptions.ResponseError, match="WRONGTYPE"):
            shared.get("words")
    finally:
        stop(process)


@pytest.fixture
def restartable_redis(settings, tmp_path):
    port = free_port()
    server = {"process": start_redis(tmp_path, port)[0]}

    def restart():
        server["process"] = start_redis(tmp_path, port)[0]

    url = f"redis://127.0.0.1:{port}/0"
    yield url, server, restart
    stop(server["process"])


def test_sharing_resumes_when_redis_is_back(settings, restartable_redis, monkeypatch, logs):
    """Figures go to Redis, are computed in this process while it is stopped (not tried again
    for RETRY_SECONDS), and go to Redis again once it answers; one warning each way."""
    url, server, restart = restartable_redis
    use_redis(settings, url, RETRY_SECONDS=60)
    in_redis = redis.Redis.from_url(url)
    computed = []

    def figures():
        computed.append(1)
        return {"total": len(computed)}

    assert cached("figures", figures, ["test:1"]) == {"total": 1}
    assert in_redis.keys("*figures:figures:*")

    stop(server["process"])
    assert cached("figures", figures, ["test:2"]) == {"total": 2}
    assert cached("figures", figures, ["test:2"]) == {"total": 2}  # kept in this process
    restart()  # an empty Redis
    assert cached("figures", figures, ["test:3"]) == {"total": 3}
    assert in_redis.keys("*") == []  # not tried again yet

    real_now = redis_cache._now
    monkeypatch.setattr(redis_cache, "_now", lambda: real_now() + 61)
    assert cached("figures", figures, ["test:4"]) == {"total": 4}
    assert in_redis.keys("*figures:figures:*")  # Redis restarted empty: v4's
    ratelimit.record(RequestFactory().post("/", REMOTE_ADDR="10.1.2.3"), "scope")
    assert in_redis.keys("aa:*ratelimit:scope:*")

    # Another app server (another process's memory) reads what this one stored.
    caches["shared"].local.clear()
    assert cached("figures", figures, ["test:4"]) == {"total": 4}
    assert len(computed) == 4

    down, back = outage_records(logs)
    assert "does not answer" in down.getMessage()
    assert "answers again" in back.getMessage()


def test_readyz_ends_the_wait_when_redis_answers(client, settings, restartable_redis):
    """A /readyz that reaches Redis resumes sharing at once, without waiting RETRY_SECONDS."""
    url, server, restart = restartable_redis
    use_redis(settings, url, RETRY_SECONDS=3600)
    in_redis = redis.Redis.from_url(url)
    stop(server["process"])
    assert client.get("/readyz").status_code == 503
    restart()
    cached("figures", lambda: 1, ["test:1"])
    assert in_redis.keys("*") == []
    assert client.get("/readyz").status_code == 200
    cached("figures", lambda: 2, ["test:2"])
    assert in_redis.keys("*figures:figures:*")
