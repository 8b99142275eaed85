"""The lint check against Django's private ORM internals (lint/private_django.py, decision 0148)."""

from pathlib import Path

import pytest

from tests.lint import scripts

ROOT = Path(__file__).resolve().parents[2]


def _module():
    return scripts.load("private_django")


def _run(root: Path):
    return scripts.run("private_django", root)


def test_the_repository_passes():
    result = _run(ROOT)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("code", "pattern"),
    [
        ("from django.db.models.sql import InsertQuery\n", "sql-module"),
        ("query = UpdateQuery(Model)\n", "query-class"),
        ("sql, params = query.get_compiler('default').as_sql()\n", "compiler"),
        ("Model._base_manager._insert([obj], fields=fields)\n", "manager-insert"),
        ("cached = page._state.fields_cache.get('coursepage')\n", "fields-cache"),
        ("names = [f.name for f in Model._meta.private_fields]\n", "meta-private"),
        ("tree = Model._meta._relation_tree\n", "meta-private"),
        ("rows = queryset._result_cache\n", "queryset-caches"),
        ("obj._do_update(base_qs, using, pk, values, fields, forced)\n", "model-save-internals"),
    ],
)
def test_a_new_private_call_fails_with_its_location(tmp_path, code, pattern):
    (tmp_path / "room").mkdir()
    (tmp_path / "room" / "services.py").write_text("import x\n\n" + code)

    result = _run(tmp_path)

    assert result.returncode == 1
    assert f"room/services.py:3: {pattern}:" in result.stdout


def test_comments_strings_and_migrations_do_not_count(tmp_path):
    (tmp_path / "room" / "migrations").mkdir(parents=True)
    (tmp_path / "room" / "migrations" / "0001_initial.py").write_text("x._base_manager._insert()\n")
    (tmp_path / "room" / "changes.py").write_text(
        '"""Explicit SQL rather than the private `InsertQuery`."""\n'
        "# never page._state.fields_cache\n"
        'NOTE = f"not {1} _result_cache"\n'
    )
    assert _run(tmp_path).returncode == 0


def test_an_allowed_use_passes_and_a_second_file_does_not(tmp_path, monkeypatch):
    module = _module()
    monkeypatch.setattr(module, "ALLOWED", {("room/changes.py", "query-class"): "being replaced"})
    (tmp_path / "room").mkdir()
    (tmp_path / "room" / "changes.py").write_text("q = InsertQuery(M)\n")
    assert module.scan(tmp_path) == ([], {("room/changes.py", "query-class")})

    (tmp_path / "room" / "other.py").write_text("q = InsertQuery(M)\n")
    found, _ = module.scan(tmp_path)
    assert [line.split(" ", 1)[0] for line in found] == ["room/other.py:1:"]
