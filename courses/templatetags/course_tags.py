"""Tags for the course pages' shells: where a per-learner fragment goes (courses/page_cache.py)."""

from django import template

from ..page_cache import slot_marker

register = template.Library()


@register.simple_tag
def slot(name: str, arg: object = ""):
    """Mark the place of the per-learner fragment `name` (with `arg`, e.g. a question id)."""
    return slot_marker(name, arg)
