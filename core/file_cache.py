"""Django's file-based cache in a folder that only this app's user can write.

The cache stores pickles, and unpickling runs code: a folder another local user could create
first, or write into, would let that user run code as the app. So the folder is created with mode
0700 (as Django does), and an existing one is refused unless this user owns it and neither its
group nor others may write to it. The refusal is an error when each process first opens the cache,
and at start-up through the system check `ashyq.E002` (core/checks.py).
"""

import os
import stat

from django.core.cache.backends.filebased import FileBasedCache
from django.core.exceptions import ImproperlyConfigured


def private_folder_problem(path):
    """Why `path` may not hold the cache's pickles, or None when it is private to this user."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None  # created with mode 0700 on first use
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        return f"{path} is not a folder (a link or a file is refused)."
    if info.st_uid != os.geteuid():
        return f"{path} belongs to user id {info.st_uid}, not to this app's user ({os.geteuid()})."
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"{path} can be written by its group or by others (mode {info.st_mode & 0o777:o})."
    return None


class PrivateFileBasedCache(FileBasedCache):
    """FileBasedCache that refuses a folder it does not own or others may write to."""

    def __init__(self, dir, params):  # noqa: A002 - Django's own argument name
        # Checked here, through the public constructor, rather than by overriding Django's
        # private `_createdir`: a missing folder is made 0700 first, then every folder is judged.
        os.makedirs(dir, 0o700, exist_ok=True)
        problem = private_folder_problem(dir)
        if problem:
            raise ImproperlyConfigured(
                f"The shared cache's folder is refused: {problem} It stores pickles, which run "
                "code when read. Set SHARED_CACHE_DIR to a folder only this app's user can write."
            )
        super().__init__(dir, params)
