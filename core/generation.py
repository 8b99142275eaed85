"""What the public site shows, kept per process until it may have changed (decision 0190).

One *generation* token, in the "volatile" cache every process shares, stands for "the published
site as it is now". Publishing, unpublishing, moving or deleting a page, a page's privacy, a
site or a locale replaces it (rooms above add their own senders: a topic, a picture…). Anything
derived only from the published site — which page a path routes to, a page's rendered shell, the
links to its translations — may then be kept:

- in the shared cache under a key that carries the token (courses/page_cache.py), and
- in this process's memory (`memo_get` / `memo_put`), for at most `MEMO_MAX_AGE` seconds and
  only while the token is unchanged, so a busy worker answers a lesson without a query for its
  route or a round trip for its shell.

The token is read at most once per request. Nothing about a reader may go into either store.
"""

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from django.core.cache import caches

GENERATION_CACHE = "volatile"
GENERATION_KEY = "core:site:generation"
# Entries kept per process (routes, shells, translation links of the most-read pages).
MEMO_SIZE = 2000
# A missed signal (a bulk update in a migration, say) is forgotten after this long at most.
MEMO_MAX_AGE = 300.0

_REQUEST_ATTR = "_core_site_generation"
_MISSING = object()


def _store():
    return caches[GENERATION_CACHE]


def current(request=None) -> str:
    """The current generation token (read once per `request` when one is given)."""
    if request is not None:
        token = getattr(request, _REQUEST_ATTR, None)
        if token is not None:
            return token
    store = _store()
    token = store.get(GENERATION_KEY)
    if token is None:
        # A random first token: a lost token never revives what was kept under an older one.
        store.add(GENERATION_KEY, uuid.uuid4().hex, None)
        token = store.get(GENERATION_KEY) or ""
    if request is not None:
        setattr(request, _REQUEST_ATTR, token)
    return token


def bump(**kwargs) -> None:
    """Forget everything kept about the published site (a signal receiver)."""
    _store().set(GENERATION_KEY, uuid.uuid4().hex, None)
    _memo.clear()


class _Memo:
    """A small LRU of key → (generation, time kept, value), safe across threads.

    An entry is found by its key alone, so a lookup of something never kept costs no read of the
    token; an entry of an older generation or older than `max_age` is dropped when found.
    """

    def __init__(self, size: int, max_age: float):
        self.size, self.max_age = size, max_age
        self.entries: OrderedDict[Hashable, tuple[str, float, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, request, key: Hashable) -> Any:
        with self.lock:
            entry = self.entries.get(key)
        if entry is None:
            return _MISSING
        token, stored_at, value = entry
        if token != current(request) or time.monotonic() - stored_at > self.max_age:
            with self.lock:
                if self.entries.get(key) is entry:
                    del self.entries[key]
            return _MISSING
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
        return value

    def put(self, request, key: Hashable, value: Any) -> None:
        entry = (current(request), time.monotonic(), value)
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_memo = _Memo(MEMO_SIZE, MEMO_MAX_AGE)


def memo_get(request, key: Hashable, default: Any = None) -> Any:
    """What this process kept under `key` in the current generation, else `default`."""
    value = _memo.get(request, key)
    return default if value is _MISSING else value


def memo_put(request, key: Hashable, value: Any) -> None:
    """Keep `value` (derived from the published site only) under `key` in this generation."""
    _memo.put(request, key, value)


def memo_clear() -> None:
    """Forget this process's entries (tests; the token itself is left alone)."""
    _memo.clear()


def connect_signals() -> None:
    """Replace the token whenever what the published site shows may have changed."""
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import Locale, Page, PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    page_published.connect(bump, dispatch_uid="core_generation_published")
    page_unpublished.connect(bump, dispatch_uid="core_generation_unpublished")
    post_page_move.connect(bump, dispatch_uid="core_generation_moved")
    post_delete.connect(bump, sender=Page, dispatch_uid="core_generation_page_deleted")
    for model in (Site, Locale, PageViewRestriction):
        for signal in (post_save, post_delete):
            signal.connect(bump, sender=model, dispatch_uid=f"core_generation_{model.__name__}")
