"""The template check: no include, extends, load or template name from a higher room."""

from pathlib import Path

import pytest
from django.template import engines
from django.template.utils import get_app_template_dirs

from tests.lint import scripts

ROOT = Path(__file__).resolve().parents[2]


def _module():
    return scripts.load("template_rooms")


def _run(root: Path):
    return scripts.run("template_rooms", root, DJANGO_SETTINGS_MODULE="cms.settings.test")


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def rooms(tmp_path):
    """A small tree: the shell in cms, a campaigns include, a learners tag library."""
    _write(tmp_path, "cms/templates/base.html", "<main>{% block content %}{% endblock %}</main>")
    _write(tmp_path, "cms/templates/cms/home_page.html", '{% extends "base.html" %}')
    _write(tmp_path, "cms/templates/wagtailadmin/tables/cell.html", "<td>{{ value }}</td>")
    _write(tmp_path, "campaigns/templates/campaigns/includes/code_form.html", "<form></form>")
    _write(tmp_path, "learners/templatetags/learner_tags.py", "")
    _write(tmp_path, "learners/templates/learners/includes/player.html", "{% load learner_tags %}")
    _write(tmp_path, "courses/templates/blocks/audio.html", "<audio></audio>")
    _write(tmp_path, "core/templatetags/core_tags.py", "")
    return tmp_path


def _scan(root: Path) -> list[str]:
    module = _module()
    return module.scan(root, module.third_party_template_dirs())


def test_the_repository_passes():
    assert _scan(ROOT) == []


def test_a_template_including_a_higher_rooms_template_fails(rooms):
    _write(
        rooms,
        "courses/templates/courses/course_page.html",
        '{% extends "base.html" %}\n{% block content %}\n'
        '{% include "campaigns/includes/code_form.html" %}\n{% endblock %}\n',
    )

    result = _run(rooms)

    assert result.returncode == 1
    assert (
        'courses/templates/courses/course_page.html:3: {% include %} "campaigns/includes/'
        'code_form.html" of campaigns, a room above courses'
    ) in result.stdout


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ('{% extends "cms/home_page.html" %}', '{% extends %} "cms/home_page.html" of cms'),
        ("{% load i18n learner_tags %}", "{% load %} tag library learner_tags of learners"),
        ("{% load lesson_player from learner_tags %}", "tag library learner_tags of learners"),
        (
            '{% include "learners/includes/player.html" with page=page only %}',
            '{% include %} "learners/includes/player.html" of learners',
        ),
    ],
)
def test_extends_load_and_include_upward_fail(rooms, template, message):
    _write(rooms, "courses/templates/courses/lesson_page.html", template)
    found = _scan(rooms)
    assert len(found) == 1, found
    assert found[0].startswith("courses/templates/courses/lesson_page.html:1: ")
    assert message in found[0]
    assert found[0].endswith("a room above courses")


def test_python_naming_a_higher_rooms_template_fails(rooms):
    _write(
        rooms,
        "core/blocks.py",
        'class AudioBlock:\n    class Meta:\n        template = "blocks/audio.html"\n',
    )
    assert _scan(rooms) == [
        'core/blocks.py:3: names template "blocks/audio.html" of courses, a room above core'
    ]


@pytest.mark.parametrize(
    "template",
    [
        # the project shell: un-namespaced cms templates
        '{% extends "base.html" %}',
        # third-party templates, also one that cms overrides
        '{% include "wagtailadmin/tables/cell.html" %}',
        '{% extends "wagtailadmin/generic/base.html" %}{% load i18n wagtailadmin_tags %}',
        # a room below, and the room itself
        '{% load core_tags %}{% include "blocks/audio.html" %}',
        # text that is not a tag, and a name chosen at run time
        '{% comment %}{% include "campaigns/includes/code_form.html" %}{% endcomment %}',
        "{% include template_name %}",
    ],
)
def test_the_shell_third_party_and_lower_rooms_pass(rooms, template):
    _write(rooms, "courses/templates/courses/lesson_page.html", template)
    assert _scan(rooms) == []


def test_a_higher_room_may_use_everything_below(rooms):
    _write(
        rooms,
        "campaigns/templates/campaigns/join.html",
        '{% extends "base.html" %}{% load learner_tags core_tags %}'
        '{% include "learners/includes/player.html" %}{% include "blocks/audio.html" %}',
    )
    _write(rooms, "cms/views.py", 'TEMPLATE = "learners/includes/player.html"\n')
    assert _scan(rooms) == []


def test_one_name_in_two_rooms_is_reported(rooms):
    _write(rooms, "learners/templates/blocks/audio.html", "<audio controls></audio>")
    assert _scan(rooms) == [
        "blocks/audio.html: provided by courses and learners (one room per name)"
    ]


def test_the_rooms_template_folders_are_the_ones_django_reads():
    """The check's map of names to rooms is the one Django's template loaders use."""
    engine = engines["django"].engine
    module = _module()
    read = [
        Path(folder).resolve() for folder in [*engine.dirs, *get_app_template_dirs("templates")]
    ]
    # CI's virtualenv lies inside the clone: a room is a top-level folder of the repository.
    in_rooms = {
        folder
        for folder in read
        if folder.is_relative_to(ROOT) and module.room_of(folder.relative_to(ROOT).as_posix())
    }
    assert {folder.resolve() for folder in module.template_dirs(ROOT)} == in_rooms
