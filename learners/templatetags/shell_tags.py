"""The learner shell's head: critical CSS inlined minified, the icon inlined as a data: URI.

Every byte of the head is paid on every first visit (issue 18: ≤ 16 KB on the wire in total), so
inlined style sheets go out without their comments and layout whitespace (the files stay
readable), and the site icon costs no request of its own (decision 0180).
"""

import re
from functools import cache
from urllib.parse import quote

from django import template
from django.utils.safestring import mark_safe

from core.templatetags.core_tags import inline_static

register = template.Library()

# One scan from the left finds strings and comments alike, so a quote inside a comment
# ("the page's") starts no string and "/*" inside a string starts no comment.
_STRING_OR_COMMENT = re.compile(r"""("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|/\*.*?\*/)""", re.S)


def _squeeze(code: str) -> str:
    code = re.sub(r"\s+", " ", code)
    # No space is needed next to these; a space before "(" or after ")" may be (`:is(.a) .b`,
    # `and (min-width: …)`), and a space before ":" may be (`a :hover`): those are kept.
    code = re.sub(r" ?([{};,>]) ?", r"\1", code)
    code = re.sub(r"(?<=[{;])(--?[-a-z]+|[a-z][-a-z]*): ", r"\1:", code)  # "color: red"
    return code.replace(";}", "}")


def minify_css(css: str) -> str:
    """CSS without comments and without whitespace that means nothing; strings kept as written."""
    pieces, between = [], []
    for index, part in enumerate(_STRING_OR_COMMENT.split(css)):
        if index % 2 == 0:  # CSS between matches
            between.append(part)
        elif part.startswith("/*"):
            between.append(" ")
        else:  # a string, copied as written
            pieces += [_squeeze("".join(between)), part]
            between = []
    pieces.append(_squeeze("".join(between)))
    return "".join(pieces).strip()


@cache
def _minified(path: str) -> str:
    return minify_css(str(inline_static(path)))


@register.simple_tag
def inline_css(path: str) -> str:
    """A static style sheet inlined, minified (read and minified once per process)."""
    return mark_safe(_minified(path))  # noqa: S308 - our own static file, not user input


@cache
def _data_uri(path: str) -> str:
    # Single quotes inside, so the URI sits in a double-quoted attribute without %22 escapes.
    svg = re.sub(r">\s+<", "><", str(inline_static(path)).strip()).replace('"', "'")
    return mark_safe("data:image/svg+xml," + quote(svg, safe=" /='-.:;,"))  # noqa: S308


@register.simple_tag
def svg_data_uri(path: str) -> str:
    """A small static SVG as a data: URI: the page's icon without a request of its own."""
    return _data_uri(path)
