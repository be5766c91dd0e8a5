"""No code from the filesystem: the figures cache stores pickles, so its folder is this
instance's own. The default lives under the project, is created with mode 0700, and a folder
planted by someone else (another owner, or writable by group or others) is refused with a clear
error, at start-up (system check) and at the cache's first use."""

import os
import stat

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config import settings as configured  # the module, not the test-adjusted settings
from core.checks import file_caches_are_private
from core.file_cache import PrivateFileBasedCache

BACKEND = "core.file_cache.PrivateFileBasedCache"


def test_the_default_folder_is_the_instances_own_not_the_shared_temp_dir():
    """The configured default (tests swap the cache itself) is under the project."""
    location = configured.CACHES["shared"]["LOCATION"]
    if not os.environ.get("SHARED_CACHE_DIR") and not os.environ.get("REDIS_URL"):
        assert location.startswith(str(settings.BASE_DIR))
        assert configured.CACHES["shared"]["BACKEND"] == BACKEND


def test_a_new_folder_is_created_private(tmp_path):
    folder = tmp_path / "figures"
    cache = PrivateFileBasedCache(str(folder), {})
    cache.set("answer", 42)
    assert cache.get("answer") == 42
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o722])
def test_a_folder_others_may_write_is_refused(tmp_path, settings, mode):
    folder = tmp_path / "planted"
    folder.mkdir()
    folder.chmod(mode)
    with pytest.raises(ImproperlyConfigured, match="written by its group or by others"):
        PrivateFileBasedCache(str(folder), {})
    settings.CACHES = {**settings.CACHES, "shared": {"BACKEND": BACKEND, "LOCATION": str(folder)}}
    errors = file_caches_are_private(None)
    assert [error.id for error in errors] == ["ashyq.E002"]
    assert "pickles" in errors[0].hint


def test_a_folder_another_user_owns_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "planted"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(os, "geteuid", lambda: folder.stat().st_uid + 1)
    with pytest.raises(ImproperlyConfigured, match="belongs to user id"):
        PrivateFileBasedCache(str(folder), {})


def test_a_link_planted_in_place_of_the_folder_is_refused(tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    link = tmp_path / "figures"
    link.symlink_to(target)
    with pytest.raises(ImproperlyConfigured, match="not a folder"):
        PrivateFileBasedCache(str(link), {})
