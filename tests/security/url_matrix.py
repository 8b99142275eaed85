"""Every URL pattern of the site, turned into a concrete URL with real objects where possible."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern


@dataclass(frozen=True)
class Route:
    """One URL pattern: its full route text (the matrix key), name and argument names."""

    route: str
    name: str | None
    arg_names: tuple[str, ...]
    pattern: URLPattern
    prefix: tuple

    @property
    def key(self) -> str:
        return self.name or self.route


def routes() -> list[Route]:
    """Every URL pattern reachable from ROOT_URLCONF, the Wagtail admin's included."""
    found = []

    def walk(patterns, prefix_text, namespace, chain):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                walk(
                    pattern.url_patterns,
                    prefix_text + str(pattern.pattern),
                    ns,
                    (*chain, pattern),
                )
                continue
            text = prefix_text + str(pattern.pattern)
            name = f"{namespace}{pattern.name}" if pattern.name else None
            args = []
            for part in (*chain, pattern):
                if isinstance(part.pattern, RoutePattern):
                    args += list(part.pattern.converters)
                elif isinstance(part.pattern, RegexPattern):
                    regex = part.pattern.regex
                    args += list(regex.groupindex) or [f"_{i}" for i in range(regex.groups)]
            found.append(Route(text, name, tuple(args), pattern, chain))

    walk(get_resolver().url_patterns, "", "", ())
    return found


def fill(route: Route, values: dict[str, str]) -> tuple[str, bool]:
    """A concrete URL for `route`, and whether every argument came from `values` (a real object).

    Arguments without a value get a placeholder that matches the pattern but names no object.
    """
    text = route.route
    real = True

    def substitute(match):
        nonlocal real
        converter, name = match.group(1) or "str", match.group(2)
        if name in values:
            return str(values[name])
        real = False
        return "999999" if converter == "int" else "zzz"

    if route.key in REGEX_EXAMPLES:
        return "/" + REGEX_EXAMPLES[route.key], False
    text = re.sub(r"<(?:(\w+):)?(\w+)>", substitute, text)
    return "/" + text.replace("^", "").replace("$", ""), real


# Concrete examples of the few regex patterns (no converters to fill in).
REGEX_EXAMPLES = {
    "wagtaildocs_serve": "documents/999999/zzz.pdf",
    "account_confirm_email": "accounts/confirm-email/zzz/",
    "account_reset_password_from_key": "accounts/password/reset/key/zz-zzz/",
    "wagtailadmin_pages:revisions_compare": (
        "admin/pages/999999/revisions/compare/earliest...latest/"
    ),
    "admin/^.*/$": "admin/no-such-admin-page/",
    "wagtail_serve": "no-such-page/",
    "wagtailmedia:add": "admin/media/audio/add/",
    "wagtailmedia:chooser_typed": "admin/media/chooser/audio/",
    "wagtailmedia:chooser_upload": "admin/media/audio/chooser/upload/",
}
