"""Course pages rendered once for every learner: the shell cache (issue 18, decision 0175).

A lesson, course or catalog page is the same for every learner except a few small places: the
progress bar, "Start" and "Continue", quiz feedback, the forms and their CSRF token. Those places
are *slots* in the page's shell. The shell is rendered once per published revision, path, site,
language and data-saver tier, and kept in the "volatile" cache (losing it costs one render).
Each request fills the slots with fragments that a room above provides through the
`courses_learner_fragment` hook; courses never names that room.

Invalidation: every key carries the site's generation token (core/generation.py), which
publishing, unpublishing, moving or deleting any page (and saving a site, a locale, a page's
privacy, and here a topic, picture or recording) replaces, so a changed title or lesson list is
never served from an older shell. The page's own live revision and path are in the key too, so
even a change that sent no signal cannot reuse the shell of another revision. A worker keeps the
shells it served last in its own memory as well (decision 0190): no round trip, no unpickling.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db.models.signals import post_delete, post_save
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from wagtail import hooks
from wagtail.models import Page, Site

from core import generation as site_generation

# Rooms above fill the slots: fn(request, page, shell) -> {slot name or "name:arg": html}.
FRAGMENT_HOOK = "courses_learner_fragment"
# Rooms above name the reader's rendering tier: fn(request) -> str ("" or e.g. "saver").
TIER_HOOK = "courses_page_tier"

SHELL_CACHE = "volatile"
SHELL_TTL = 24 * 60 * 60


@dataclass(frozen=True)
class LessonRef:
    """A live lesson as the shells and the fragments need it (no page object, picklable)."""

    pk: int
    translation_key: str
    title: str
    url: str


@dataclass
class Shell:
    """A page's learner-independent HTML with slot markers, and the facts its fragments need."""

    kind: str  # "lesson", "course" or "catalog"
    html: str
    css: str = ""
    lessons: tuple[LessonRef, ...] = ()
    facts: dict = field(default_factory=dict)


# --- slots ---------------------------------------------------------------------------------------


@cache
def _token() -> str:
    # Keyed by the secret: no text in a lesson can forge a marker that would be replaced.
    return salted_hmac("courses.page_cache.slot", "slot").hexdigest()[:16]


@cache
def _slot_pattern() -> re.Pattern:
    return re.compile(r"<!--slot:([a-z_]+):([\w-]*):" + _token() + "-->")


def slot_marker(name: str, arg: object = "") -> SafeString:
    """The marker a shell template writes where a per-learner fragment goes."""
    return mark_safe(f"<!--slot:{name}:{arg}:{_token()}-->")  # noqa: S308 - our own marker


def fill(shell: Shell, fragments: dict[str, str]) -> SafeString:
    """`shell` with each slot replaced by its fragment ("name:arg", else "name", else nothing)."""

    def fragment(match: re.Match) -> str:
        name, arg = match[1], match[2]
        return str(fragments.get(f"{name}:{arg}", fragments.get(name, "")))

    return mark_safe(_slot_pattern().sub(fragment, shell.html))  # noqa: S308 - rendered HTML


def learner_fragments(request, page: Page, shell: Shell) -> dict[str, str]:
    """The fragments every registered room gives for this request (the later one wins)."""
    fragments: dict[str, str] = {}
    for fn in hooks.get_hooks(FRAGMENT_HOOK):
        fragments.update(fn(request, page, shell) or {})
    return fragments


# --- keys and invalidation -----------------------------------------------------------------------


@cache
def _code_version() -> str:
    """A digest of the templates and translations: a deploy never reuses an older layout."""
    digest = hashlib.sha1(usedforsecurity=False)
    base = Path(settings.BASE_DIR)
    files = [*base.glob("*/templates/**/*.html"), *base.glob("*/locale/*/LC_MESSAGES/*.mo")]
    for path in sorted(files):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _store():
    return caches[SHELL_CACHE]


def reader_tier(request) -> str:
    """The reader's rendering tier as the rooms above name it ("" for the default)."""
    tiers = [fn(request) for fn in hooks.get_hooks(TIER_HOOK)]
    return ",".join(t for t in tiers if t)


def shell_key(request, page: Page, kind: str, variant: str = "") -> str:
    """The cache key of `page`'s shell for this reader (never anything about who they are)."""
    site = Site.find_for_request(request)
    parts = [
        kind,
        page.pk,
        page.live_revision_id,
        page.url_path,
        site.pk if site else "",
        get_language(),
        reader_tier(request),
        variant,
        _code_version(),
    ]
    raw = "\x1f".join(str(part) for part in parts)
    digest = hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()
    return f"courses:shell:{site_generation.current(request)}:{digest}"


def cacheable(request, page: Page) -> bool:
    """Only a live page's public rendering is shared; previews and drafts are rendered afresh."""
    return page.live and not getattr(request, "is_preview", False)


def shell_for(
    request, page: Page, kind: str, build: Callable[[], Shell], variant: str = ""
) -> Shell:
    """`page`'s shell from the cache, else built by `build()` and kept."""
    if not cacheable(request, page):
        return build()
    key = shell_key(request, page, kind, variant)
    shell = site_generation.memo_get(request, key)
    if shell is None:
        shell = _store().get(key)
        if shell is None:
            shell = build()
            _store().set(key, shell, SHELL_TTL)
        site_generation.memo_put(request, key, shell)
    return shell


def render_shell(template: str, context: dict) -> str:
    """Render a shell template without the request's context processors.

    Nothing about the reader (user, CSRF token, preferences) is in the context, so nothing about
    them can end up in a shell that every reader gets. `request` is there for page URLs only.
    """
    return render_to_string(template, context)


def connect_signals() -> None:
    """Replace the generation when what a shell shows beyond its pages may have changed.

    Pages, sites, locales and privacy are core's (core/generation.py); these are the courses'.
    """
    from wagtail.images import get_image_model

    from .models import LessonMedia, Topic

    for model in (Topic, LessonMedia, get_image_model()):
        for signal in (post_save, post_delete):
            signal.connect(
                site_generation.bump, sender=model, dispatch_uid=f"courses_shells_{model.__name__}"
            )
