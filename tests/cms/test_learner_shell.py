"""Every learner page shares one light, accessible, bilingual shell."""

import gzip
import re

import pytest

from tests.demo_snapshot import load_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db, demo_shell):
    load_demo()


def test_home_is_chinese_with_skip_link_and_switch_to_english(client, demo):
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans"' in html
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert 'href="/en/"' in html and 'hreflang="en"' in html
    assert "数字乡村课堂" in html


def test_english_home_is_english_with_switch_back_to_chinese(client, demo):
    html = client.get("/en/").content.decode()
    assert '<html lang="en"' in html
    assert "Digital Village Classroom" in html
    assert "Skip to main content" in html
    assert re.search(r'href="/"[^>]*hreflang="zh-hans"', html)


def test_interface_strings_are_translated_into_chinese(client, demo):
    html = client.get("/").content.decode()
    assert "跳到正文" in html
    assert "Skip to main content" not in html


def test_css_is_inlined_and_nothing_is_loaded_from_another_origin(client, demo):
    html = client.get("/").content.decode()
    assert re.search(r"<style[^>]*>", html) and "--tap:2.75rem" in html
    assert not re.search(r"<link[^>]+stylesheet", html)
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_home_first_response_fits_one_round_trip(client, demo):
    body = client.get("/").content
    assert len(gzip.compress(body)) <= 14 * 1024


def test_home_query_count_is_small(client, demo, django_assert_max_num_queries):
    client.get("/")  # warm Wagtail's site cache
    with django_assert_max_num_queries(8):
        assert client.get("/").status_code == 200


def test_unknown_page_gives_a_translated_404(client, demo):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "找不到" in response.content.decode()
