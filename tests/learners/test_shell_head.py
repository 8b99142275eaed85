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


def _styles(response) -> str:
    assert response.status_code == 200
    return "".join(re.findall(r"<style[^>]*>(.*?)</style>", response.content.decode(), re.S))


def test_a_lesson_inlines_the_style_of_lessons_only_and_other_pages_keep_forms_and_lists(client):
    """Every byte and rule before a lesson's first paint is paid on a cheap phone (decision 0205):
    the lesson leaves out form, tap-list and catalog rules it never uses; the pages with forms
    and lists keep them."""
    from tests.learners.factories import learner, lessons_of, make_course

    course = make_course(lessons=1, questions=1, title="防骗课")
    client.force_login(learner())
    lesson = _styles(client.get(lessons_of(course)[0].url))
    for rule in (".question{", ".callout--tip{", ".card{", ".crumbs a{", ".stepper,", "--tap:"):
        assert rule in lesson, rule
    for rule in (".field{", ".code-input{", ".tap-list{", ".topic-filter", ".lesson-list"):
        assert rule not in lesson, rule
    course_page = _styles(client.get(course.url))
    assert ".lesson-list .card{" in course_page and ".crumbs{" in course_page
    client.logout()
    login = _styles(client.get("/accounts/login/"))
    assert ".field{" in login and ".code-input{" in login and ".tap-list{" in login


def test_text_is_set_in_the_browsers_sans_serif_for_the_page_language(client):
    """No named font families: each one a phone lacks costs a font lookup before the first
    paint, and the browser's sans-serif for lang="zh-hans" is already its Chinese UI font."""
    styles = _styles(client.get("/accounts/login/"))
    assert re.findall(r"--font:([^;}]+)", styles) == ["sans-serif"]
    assert "font-family:var(--font)" in styles
    assert len(re.findall(r"font-family:", styles)) == 1
