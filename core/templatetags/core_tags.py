"""Template helpers of the learner design system."""

from functools import cache

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import translate_url
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

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


@register.inclusion_tag("core/language_switch.html", takes_context=True)
def language_switch(context) -> dict:
    """Links to this page in the other languages (the page's translation when it has one)."""
    request = context.get("request")
    page = context.get("page")
    current = get_language()
    links = []
    for code, name in settings.LANGUAGES:
        if code == current:
            continue
        url = None
        if page is not None and hasattr(page, "get_translations"):
            translation = page.get_translations().filter(locale__language_code=code).live().first()
            if translation is not None:
                url = translation.url
        if url is None and request is not None:
            url = translate_url(request.get_full_path(), code)
        links.append({"code": code, "name": name, "url": url or "/"})
    return {"links": links}
