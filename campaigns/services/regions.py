"""Writes to the region tree: importing official division codes from a CSV file."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from core.models import Region

LEVELS = [level for level, _label in Region.Level.choices]
# How many leading digits of the 12-digit code identify a division at each level (GB/T 2260 and
# the statistics bureau's village codes): province 2, prefecture 4, county 6, township 9,
# village 12.
SIGNIFICANT_DIGITS = {"province": 2, "prefecture": 4, "county": 6, "township": 9, "village": 12}
REGION_CSV_HEADER = ("code", "name", "parent_code")

HEADER_WRONG = _("The first line must be the header: code,name,parent_code.")
ROW_WRONG_COLUMNS = _("Expected 3 columns (code, name, parent code), found %(count)s.")
ROW_BAD_CODE = _("The code “%(code)s” is not 12 digits.")
ROW_MISSING_NAME = _("The name is empty.")
ROW_BAD_PARENT_CODE = _("The parent code “%(code)s” is not 12 digits.")
ROW_DUPLICATE = _("The code %(code)s already appears on line %(line)s.")
ROW_UNKNOWN_PARENT = _("The parent code %(code)s is neither in the file nor in the database.")
ROW_PARENT_INVALID = _("The parent on line %(line)s has an error, so this row cannot be placed.")
ROW_PARENT_NOT_ABOVE = _("A %(level)s cannot be placed under a %(parent_level)s.")
ROW_NOT_UNDER_PARENT = _("The code %(code)s does not belong under the parent code %(parent)s.")
ROW_MOVED = _(
    "The region %(code)s already exists under a different parent; moving is not supported."
)


@dataclass(frozen=True)
class RowError:
    """One rejected line of an import file."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class ImportRejected(Exception):
    """The file had bad rows; nothing was written."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} bad row(s)")
        self.errors = errors


@dataclass
class RegionImportResult:
    """What an import changed."""

    created: int = 0
    renamed: int = 0
    unchanged: int = 0


@dataclass
class _Row:
    line: int
    code: str
    name: str
    parent_code: str
    level: str = ""
    errors: list[str] = field(default_factory=list)


def region_level_from_code(code: str) -> str:
    """The administrative level a 12-digit division code denotes."""
    if code[2:] == "0" * 10:
        return "province"
    if code[4:] == "0" * 8:
        return "prefecture"
    if code[6:] == "0" * 6:
        return "county"
    if code[9:] == "000":
        return "township"
    return "village"


def _is_code(value: str) -> bool:
    return len(value) == 12 and value.isascii() and value.isdigit()


def _parse(rows: Iterable[Sequence[str]]) -> tuple[list[_Row], list[RowError]]:
    parsed, errors = [], []
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None or tuple(c.strip().lower() for c in header[:3]) != REGION_CSV_HEADER:
        return [], [RowError(1, str(HEADER_WRONG))]
    for line, cells in enumerate(iterator, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != 3:
            errors.append(RowError(line, str(ROW_WRONG_COLUMNS % {"count": len(cells)})))
            continue
        code, name, parent_code = (c.strip() for c in cells)
        row = _Row(line, code, name, parent_code)
        if not _is_code(code):
            row.errors.append(str(ROW_BAD_CODE % {"code": code}))
        else:
            row.level = region_level_from_code(code)
        if not name:
            row.errors.append(str(ROW_MISSING_NAME))
        if parent_code and not _is_code(parent_code):
            row.errors.append(str(ROW_BAD_PARENT_CODE % {"code": parent_code}))
        parsed.append(row)
    return parsed, errors


def _check_placement(row: _Row, parent_level: str) -> None:
    if LEVELS.index(parent_level) >= LEVELS.index(row.level):
        row.errors.append(
            str(ROW_PARENT_NOT_ABOVE % {"level": row.level, "parent_level": parent_level})
        )
    elif (
        row.code[: SIGNIFICANT_DIGITS[parent_level]]
        != row.parent_code[: SIGNIFICANT_DIGITS[parent_level]]
    ):
        row.errors.append(str(ROW_NOT_UNDER_PARENT % {"code": row.code, "parent": row.parent_code}))


@transaction.atomic
def region_import(*, rows: Iterable[Sequence[str]]) -> RegionImportResult:
    """Import regions from CSV rows (header first); all or nothing; re-importing is idempotent."""
    parsed, errors = _parse(rows)
    first_line: dict[str, int] = {}
    for row in parsed:
        if row.code in first_line:
            row.errors.append(str(ROW_DUPLICATE % {"code": row.code, "line": first_line[row.code]}))
        elif _is_code(row.code):
            first_line[row.code] = row.line
    wanted = {r.code for r in parsed} | {r.parent_code for r in parsed if r.parent_code}
    existing = {r.code: r for r in Region.objects.filter(code__in=wanted)}
    parent_paths = {r.path[: -Region.steplen] for r in existing.values() if r.depth > 1}
    code_by_path = dict(Region.objects.filter(path__in=parent_paths).values_list("path", "code"))
    by_code = {r.code: r for r in parsed if first_line.get(r.code) == r.line}

    # Parents before children: a code's level says how deep it sits.
    ordered = sorted(parsed, key=lambda r: (LEVELS.index(r.level) if r.level else -1, r.line))
    for row in ordered:
        if row.errors or not row.parent_code:
            continue
        in_file = by_code.get(row.parent_code)
        if in_file is not None:
            if in_file.errors:
                row.errors.append(str(ROW_PARENT_INVALID % {"line": in_file.line}))
            else:
                _check_placement(row, in_file.level)
        elif row.parent_code in existing:
            _check_placement(row, existing[row.parent_code].level)
        else:
            row.errors.append(str(ROW_UNKNOWN_PARENT % {"code": row.parent_code}))
    for row in parsed:
        current = existing.get(row.code)
        if current is not None and not row.errors:
            current_parent = code_by_path.get(current.path[: -Region.steplen], "")
            if current_parent != row.parent_code:
                row.errors.append(str(ROW_MOVED % {"code": row.code}))
    errors += [RowError(r.line, reason) for r in parsed for reason in r.errors]
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.line))
    return _write(ordered, existing)


def _write(ordered: list[_Row], existing: dict[str, Region]) -> RegionImportResult:
    result = RegionImportResult()
    to_rename = []
    for row in ordered:
        current = existing.get(row.code)
        if current is None:
            continue
        if current.name != row.name:
            current.name = row.name
            to_rename.append(current)
        else:
            result.unchanged += 1
    Region.objects.bulk_update(to_rename, ["name"])
    result.renamed = len(to_rename)

    new_rows = [r for r in ordered if r.code not in existing]
    path_by_code = {code: region.path for code, region in existing.items()}
    next_step: dict[str, int] = {}
    added_children: dict[str, int] = defaultdict(int)
    nodes: list[Region] = []
    for row in new_rows:
        parent_path = path_by_code[row.parent_code] if row.parent_code else ""
        if parent_path not in next_step:
            next_step[parent_path] = _last_child_step(parent_path) + 1
        depth = len(parent_path) // Region.steplen + 1
        path = Region._get_path(parent_path, depth, next_step[parent_path])
        next_step[parent_path] += 1
        added_children[parent_path] += 1
        path_by_code[row.code] = path
        nodes.append(Region(path=path, depth=depth, code=row.code, name=row.name, level=row.level))
    new_paths = {node.path for node in nodes}
    for node in nodes:
        node.numchild = added_children.get(node.path, 0)
    Region.objects.bulk_create(nodes, batch_size=2000)
    for parent_path, count in added_children.items():
        if parent_path and parent_path not in new_paths:
            Region.objects.filter(path=parent_path).update(numchild=F("numchild") + count)
    result.created = len(nodes)
    return result


def _last_child_step(parent_path: str) -> int:
    depth = len(parent_path) // Region.steplen + 1
    last = (
        Region.objects.filter(path__startswith=parent_path, depth=depth)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    return Region._str2int(last[-Region.steplen :]) if last else 0
