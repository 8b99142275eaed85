"""The learner shell's head is small: minified inline style, the icon as a data: URI (issue 18)."""

import re

import pytest

from learners.templatetags.shell_tags import minify_css

pytestmark = pytest.mark.django_db


def test_minified_css_keeps_strings_selectors_and_media_queries_and_drops_comments():
    css = """/* tokens */
:root {
  --font: system-ui, "PingFang SC", sans-serif; /* 44 px */
}
.steps > li > p::before { content: counter(step) ".  "; }
:is(.a) .b, a :hover { color: red ; }
@media (min-width: 48rem) { main { padding: 1.5rem; } }
"""
    assert minify_css(css) == (
        ':root{--font:system-ui,"PingFang SC",sans-serif}'
        '.steps>li>p::before{content:counter(step) ".  "}'
        ":is(.a) .b,a :hover{color:red}"
        "@media (min-width: 48rem){main{padding:1.5rem}}"
    )


def test_a_quote_inside_a_comment_or_a_comment_mark_inside_a_string_keeps_the_css_whole():
    css = """/* the page's font: "sans-serif" */
:root { --font: sans-serif; }
.a::before { content: "/* not a comment */"; } /* it's gone */
.b { color: red; }
"""
    assert minify_css(css) == (
        ':root{--font:sans-serif}.a::before{content:"/* not a comment */"}.b{color:red}'
    )


def test_a_page_inlines_its_style_without_comments_and_has_no_icon_request(client):
    html = client.get("/accounts/login/").content.decode()
    styles = "".join(re.findall(r"<style[^>]*>(.*?)</style>", html, re.S))
    assert "--tap:2.75rem" in styles
    assert "/*" not in styles and "\n  " not in styles
    icon = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
    assert icon.startswith("data:image/svg+xml,%3Csvg") and "%230b5c3b" in icon


def test_the_offline_page_links_the_shell_style_that_every_page_inlines(client):
    page = client.get("/accounts/login/").content.decode()
    shell = re.search(r'<style[^>]* id="shell-css" data-href="([^"]+)">', page).group(1)
    offline = client.get("/offline/").content.decode()
    assert f'<link rel="stylesheet" href="{shell}">' in offline
    assert "<style" not in offline  # nothing inlined twice: the worker's cache has the sheet
    assert client.get(shell).status_code == 200  # online, the browser fetches it as usual

