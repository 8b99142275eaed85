"""Template helpers of the learner design system."""

from functools import cache

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import translate_url
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from core import generation

register = template.Library()


@cache
def _read_static(path: str) -> str:
    found = finders.find(path)
    if not found:
        raise template.TemplateSyntaxError(f"static file not found: {path}")
    with open(found, encoding="utf-8") as handle:
        return handle.read()


@register.simple_tag
def inline_static(path: str) -> str:
    """Inline a small static text file (the critical CSS) so a page paints after one round trip."""
    return mark_safe(_read_static(path))  # noqa: S308 - our own static file, not user input


def _translation_urls(request, page) -> dict[str, str]:
    """The URLs of `page`'s live translations by language code (kept while the site is as is)."""
    key = ("translation_urls", page.pk)
    urls = generation.memo_get(request, key)
    if urls is None:
        urls = {
            translation.locale.language_code: translation.url
            for translation in page.get_translations().live().select_related("locale")
        }
        generation.memo_put(request, key, urls)
    return urls


@register.inclusion_tag("core/language_switch.html", takes_context=True)
def language_switch(context) -> dict:
    """Links to this page in the other languages (the page's translation when it has one)."""
    request = context.get("request")
    page = context.get("page")
    current = get_language()
    translations = {}
    if page is not None and page.pk and hasattr(page, "get_translations"):
        translations = _translation_urls(request, page)
    links = []
    for code, name in settings.LANGUAGES:
        if code == current:
            continue
        url = translations.get(code)
        if url is None and request is not None:
            url = translate_url(request.get_full_path(), code)
        links.append({"code": code, "name": name, "url": url or "/"})
    return {"links": links}
