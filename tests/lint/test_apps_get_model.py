"""The lint against apps.get_model on the global registry (lint/apps_get_model.py)."""

from pathlib import Path

import pytest

from tests.lint import scripts

ROOT = Path(__file__).resolve().parents[2]


def _module():
    return scripts.load("apps_get_model")


def _run(root: Path):
    return scripts.run("apps_get_model", root)


def test_the_repository_passes():
    result = _run(ROOT)
    assert result.returncode == 0, result.stdout


def test_a_label_lookup_in_a_service_fails_with_its_location(tmp_path):
    (tmp_path / "learners").mkdir()
    (tmp_path / "learners" / "services.py").write_text(
        "from django.apps import apps\n\n\n"
        "def office_of(code):\n"
        '    return apps.get_model("campaigns", "ProgramOffice").objects.get(code=code)\n'
    )

    result = _run(tmp_path)

    assert result.returncode == 1
    assert 'learners/services.py:5: apps.get_model("campaigns", "ProgramOffice")' in result.stdout


@pytest.mark.parametrize(
    "code",
    [
        'from django.apps import apps\nM = apps.get_model("campaigns", "Cohort")\n',
        'from django.apps import apps as registry\nM = registry.get_model("campaigns.Cohort")\n',
        'import django.apps\nM = django.apps.apps.get_model("campaigns", "Cohort")\n',
        'import django\nM = django.apps.apps.get_model("campaigns", "Cohort")\n',
        'import django.apps as dj\nM = dj.apps.get_model("campaigns", "Cohort")\n',
        'from django import apps\nM = apps.apps.get_model("campaigns", "Cohort")\n',
        'from django.apps import apps\nM = apps.get_app_config("campaigns").get_model("Cohort")\n',
        'from django.apps import apps\nM = apps.get_registered_model("campaigns", "cohort")\n',
        # imported inside the function that uses it
        'def f():\n    from django.apps import apps\n    return apps.get_model("learners", "E")\n',
        # an alias assigned from the registry, in a nested function
        "from django.apps import apps as global_apps\n"
        "registry = global_apps\n"
        'def f():\n    return registry.get_model("learners", "Enrollment")\n',
        # a parameter that falls back to the global registry
        "def f(apps=None):\n"
        "    if apps is None:\n"
        "        from django.apps import apps\n"
        '    return apps.get_model("wagtailcore", "Collection")\n',
        "from django.apps import apps as global_apps\n"
        'def f(apps=None):\n    apps = apps or global_apps\n    return apps.get_model("a", "B")\n',
    ],
)
def test_each_way_to_reach_the_global_registry_fails(tmp_path, code):
    module = _module()
    found = module.check_source(code, "room/x.py")
    assert len(found) == 1, found
    assert found[0].startswith("room/x.py:")
    assert "get_" in found[0]


@pytest.mark.parametrize(
    "code",
    [
        # the historical registry a data migration passes to a helper (core.roles.create_roles)
        'def create_roles(apps, schema_editor):\n    G = apps.get_model("auth", "Group")\n',
        'grant = lambda apps, editor: apps.get_model("auth", "Group")\n',
        # the parameter shadows a module-level import of the global registry
        "from django.apps import apps\n\n"
        'def grant(apps, schema_editor):\n    return apps.get_model("auth", "Group")\n',
        # another registry's get_model (a migration state's, a test executor's)
        'def f(state):\n    return state.apps.get_model("learners", "Enrollment")\n',
        # other uses of the global registry
        'from django.apps import apps\nok = apps.is_installed("learners.certificates")\n',
        "from django.apps import apps\nmodels = apps.get_models()\n",
        # text only
        '"""Never apps.get_model("campaigns", "Cohort") here."""\n# apps.get_model("a", "b")\n',
    ],
)
def test_what_is_not_the_global_registry_passes(code):
    assert _module().check_source(code, "room/x.py") == []


def test_migrations_keep_their_lookups(tmp_path):
    (tmp_path / "campaigns" / "migrations").mkdir(parents=True)
    (tmp_path / "campaigns" / "migrations" / "0009_data.py").write_text(
        'from django.apps import apps\nCohort = apps.get_model("campaigns", "Cohort")\n'
    )
    assert _run(tmp_path).returncode == 0
