"""`manage.py import_regions`: all rows valid or nothing imported, every bad row reported."""

import pytest
from django.core.management import CommandError, call_command

from campaigns.demo import DEMO_REGIONS
from campaigns.services import ImportRejected, region_import
from core.models import Region

pytestmark = pytest.mark.django_db


def write_csv(tmp_path, rows):
    path = tmp_path / "regions.csv"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_valid_file_builds_the_tree_with_levels(tmp_path):
    call_command("import_regions", write_csv(tmp_path, DEMO_REGIONS))
    village = Region.objects.get(code="621102100201")
    assert village.level == "village"
    assert [r.code for r in village.get_ancestors()] == [
        "620000000000",
        "621100000000",
        "621102000000",
        "621102100000",
    ]
    assert Region.objects.count() == len(DEMO_REGIONS) - 1
    Region.find_problems()  # treebeard's own consistency check must not raise
    assert Region.get_root_nodes().get().get_descendant_count() == len(DEMO_REGIONS) - 2


def test_children_listed_before_their_parent_are_placed(tmp_path):
    rows = [DEMO_REGIONS[0], *reversed(DEMO_REGIONS[1:])]
    region_import(rows=rows)
    assert Region.objects.get(code="621121100202").get_parent().code == "621121100000"


def test_reimporting_the_same_file_changes_nothing():
    region_import(rows=DEMO_REGIONS)
    result = region_import(rows=DEMO_REGIONS)
    assert (result.created, result.renamed) == (0, 0)
    assert Region.objects.count() == len(DEMO_REGIONS) - 1


def test_new_children_of_existing_regions_are_appended_and_renames_applied():
    region_import(rows=DEMO_REGIONS)
    result = region_import(
        rows=[
            ("code", "name", "parent_code"),
            ("621121100203", "新村", "621121100000"),
            ("621121100201", "温泉新村", "621121100000"),
        ]
    )
    assert (result.created, result.renamed) == (1, 1)
    town = Region.objects.get(code="621121100000")
    assert [c.code for c in town.get_children()] == [
        "621121100201",
        "621121100202",
        "621121100203",
    ]
    assert town.numchild == 3
    Region.find_problems()


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(tmp_path):
    rows = [
        ("code", "name", "parent_code"),
        ("620000000000", "甘肃省", ""),  # 2 fine
        ("62110000000", "短码", "620000000000"),  # 3 not 12 digits
        ("621100000000", "", "620000000000"),  # 4 empty name
        ("621102000000", "安定区", "999900000000"),  # 5 unknown parent
        ("620000000000", "又一个", ""),  # 6 duplicate
        ("621102100201", "村", "62110210000X"),  # 7 bad parent code
        ("630000000000", "省", "620000000000"),  # 8 province under province
        ("631102000000", "县", "620000000000"),  # 9 code not under parent
        ("621102100202", "村", "621100000000"),  # 10 parent row 4 invalid
        ("only", "two"),  # 11 wrong column count
    ]
    with pytest.raises(ImportRejected) as excinfo:
        region_import(rows=rows)
    by_line = {}
    for error in excinfo.value.errors:
        by_line.setdefault(error.line, []).append(error.reason)
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "not 12 digits" in by_line[3][0]
    assert "name is empty" in by_line[4][0]
    assert "neither in the file nor in the database" in by_line[5][0]
    assert "already appears on line 2" in by_line[6][0]
    assert "parent code" in by_line[7][0]
    assert "cannot be placed under" in by_line[8][0]
    assert "does not belong under" in by_line[9][0]
    assert "line 4 has an error" in by_line[10][0]
    assert "Expected 3 columns" in by_line[11][0]
    assert not Region.objects.exists()

    with pytest.raises(CommandError, match="9 bad row"):
        call_command("import_regions", write_csv(tmp_path, rows))
    assert not Region.objects.exists()


def test_moving_an_existing_region_is_refused():
    region_import(rows=DEMO_REGIONS)
    with pytest.raises(ImportRejected, match="1 bad row"):
        region_import(
            rows=[("code", "name", "parent_code"), ("621102100201", "团结村", "621102101000")]
        )


def test_a_file_without_the_header_is_refused(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_regions", write_csv(tmp_path, DEMO_REGIONS[1:]))
    assert not Region.objects.exists()
