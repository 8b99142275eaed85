"""Roster import: read a CSV or XLSX list of learners, preview every row, then import valid rows.

Nothing is written to learners until the officer confirms the preview; then only the rows the
preview showed as valid are imported. Learners are matched on their E.164 phone number, so
importing the same file twice registers and enrolls no one twice.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from campaigns.models import RosterImport
from core.models import Campaign, Cohort, Region
from learners.models import Enrollment

MAX_ROWS = 20_000
# Above this many rows the import runs in a Celery worker instead of the request.
INLINE_LIMIT = 300
# Valid rows registered and enrolled per transaction.
BATCH_ROWS = 1_000

HEADER_ALIASES = {
    "name": "name",
    "姓名": "name",
    "phone": "phone",
    "mobile": "phone",
    "手机": "phone",
    "手机号": "phone",
    "village code": "village_code",
    "village": "village_code",
    "村代码": "village_code",
    "村": "village_code",
    "cohort": "cohort",
    "班级": "cohort",
}
REQUIRED_COLUMNS = ("name", "phone", "village_code")

FILE_UNREADABLE = _("The file could not be read as CSV or XLSX.")
FILE_EMPTY = _("The file has no rows below the header.")
FILE_TOO_LONG = _("The file has more than %(max)s rows; split it into smaller files.")
FILE_MISSING_COLUMNS = _("The header must name the columns: name, phone, village code, cohort.")
ROW_NAME_MISSING = _("The name is empty.")
ROW_BAD_PHONE = _("“%(phone)s” is not a mainland China mobile number.")
ROW_UNKNOWN_VILLAGE = _("No village with code “%(code)s” in this campaign's region.")
ROW_VILLAGE_OUTSIDE_OFFICE = _("The village “%(code)s” is outside your office's region.")
ROW_UNKNOWN_VILLAGE_PATH = _("No village “%(path)s” in this campaign's region.")
ROW_AMBIGUOUS_VILLAGE_PATH = _(
    "“%(path)s” names several villages; give the full path 省›市›县›乡›村 or the village code."
)
ROW_DUPLICATE = _("The same phone number is already on line %(line)s.")
# Says nothing about who holds the number or where (issue 16, finding 1).
ROW_PHONE_NOT_HERE = _(
    "This number cannot be added here. The learner can join the campaign with its join code."
)
ROW_COHORT_OUTSIDE = _("No cohort “%(cohort)s” in this campaign.")
ALREADY_CONFIRMED = _("This roster has already been imported.")

NEW = "new"
EXISTING = "existing"
INVALID = "invalid"


class RosterFileError(Exception):
    """The file as a whole cannot be read; nothing was previewed."""


@dataclass
class RosterRow:
    """One line of a roster with the outcome the preview predicts."""

    line: int
    name: str
    phone: str
    village_code: str
    cohort: str
    cohort_id: int | None = None
    outcome: str = NEW
    reasons: list[str] = field(default_factory=list)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets store phone numbers and codes as numbers
    return str(value).strip()


def _read_rows(content: bytes, filename: str) -> Iterator[Sequence[str]]:
    if filename.lower().endswith(".xlsx"):
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise RosterFileError(FILE_UNREADABLE) from exc
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell(v) for v in values]
        workbook.close()
        return
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterFileError(FILE_UNREADABLE)
    for values in csv.reader(io.StringIO(text, newline="")):
        yield [_cell(v) for v in values]


def _columns(header: Sequence[str]) -> dict[str, int]:
    columns = {}
    for index, title in enumerate(header):
        key = HEADER_ALIASES.get(" ".join(title.lower().replace("_", " ").split()))
        if key and key not in columns:
            columns[key] = index
    if not all(c in columns for c in REQUIRED_COLUMNS):
        raise RosterFileError(FILE_MISSING_COLUMNS)
    return columns


def parse_roster(*, content: bytes, filename: str) -> list[RosterRow]:
    """The roster's rows, with line numbers as the officer sees them in the file."""
    rows_in = iter(_read_rows(content, filename))
    header = next(rows_in, None)
    if header is None:
        raise RosterFileError(FILE_EMPTY)
    columns = _columns(header)

    def get(values: Sequence[str], key: str) -> str:
        index = columns.get(key)
        return values[index] if index is not None and index < len(values) else ""

    rows = []
    for line, values in enumerate(rows_in, start=2):
        if not any(values):
            continue
        if len(rows) == MAX_ROWS:
            raise RosterFileError(FILE_TOO_LONG % {"max": MAX_ROWS})
        rows.append(
            RosterRow(
                line=line,
                name=get(values, "name"),
                phone=get(values, "phone"),
                village_code=get(values, "village_code"),
                cohort=get(values, "cohort"),
            )
        )
    if not rows:
        raise RosterFileError(FILE_EMPTY)
    return rows


def normalise_mobile(raw: str) -> str | None:
    """E.164 form of a mainland China mobile number, or None when it is not one."""
    from core.phone import normalise_phone

    try:
        return normalise_phone(raw)
    except ValidationError:
        return None


def _existing_phones(phones: Iterable[str]) -> set[str]:
    from learners.accounts.models import LearnerProfile

    found: set[str] = set()
    phones = list(phones)
    for start in range(0, len(phones), 1000):  # SQLite caps the number of query parameters
        chunk = phones[start : start + 1000]
        found.update(LearnerProfile.objects.filter(phone__in=chunk).values_list("phone", flat=True))
    return found


def _phones_outside(phones: Iterable[str], region_paths: tuple[str, ...]) -> set[str]:
    """Registered numbers whose learner has nothing to do with these region subtrees.

    A learner is inside when their village, or a campaign or cohort they are enrolled in, lies in
    one of the subtrees. Anyone else's number must not be matched, enrolled or even called
    "registered" by this office's roster (issue 16, finding 1).
    """
    from django.db.models import Q

    from learners.accounts.models import LearnerProfile

    outside: set[str] = set()
    phones = list(phones)
    for start in range(0, len(phones), 1000):  # SQLite caps the number of query parameters
        chunk = phones[start : start + 1000]
        profiles = list(
            LearnerProfile.objects.filter(phone__in=chunk).values_list(
                "phone", "user_id", "village_code"
            )
        )
        if not profiles:
            continue
        in_paths = Q(pk__in=[])
        for path in region_paths:
            in_paths |= Q(path__startswith=path)
        villages = {code for _phone, _user, code in profiles if code}
        inside_villages = set(
            Region.objects.filter(in_paths, code__in=villages).values_list("code", flat=True)
        )
        enrolled_q = Q(pk__in=[])
        for path in region_paths:
            enrolled_q |= Q(campaign__region__path__startswith=path)
            enrolled_q |= Q(cohort__village__path__startswith=path)
        inside_users = set(
            Enrollment.objects.filter(
                enrolled_q, learner_id__in=[user for _phone, user, _code in profiles]
            ).values_list("learner_id", flat=True)
        )
        outside.update(
            phone
            for phone, user, code in profiles
            if code not in inside_villages and user not in inside_users
        )
    return outside


# Separators people put between the names of a village's path ("甘肃省›兰州市›…›某村").
PATH_SEPARATORS = re.compile(r"\s*[›>/\\、|]\s*")


def split_region_path(text: str) -> list[str]:
    """The names of a region path as people write it, top first."""
    return [name for name in PATH_SEPARATORS.split(text.strip()) if name]


def _villages_by_path(campaign: Campaign, rows: list[RosterRow]) -> dict[str, list[str]]:
    """For every row giving its village as a name path: the codes of the villages it may mean."""
    wanted = {}
    for row in rows:
        if row.village_code and not row.village_code.isdigit():
            names = split_region_path(row.village_code)
            if names:
                wanted[row.village_code] = names
    if not wanted:
        return {}
    last_names = sorted({names[-1] for names in wanted.values()})
    candidates = list(
        Region.objects.filter(
            campaign.region.subtree_filter(), level=Region.Level.VILLAGE, name__in=last_names
        )
    )
    ancestor_paths = {
        v.path[:end]
        for v in candidates
        for end in range(Region.steplen, len(v.path), Region.steplen)
    }
    name_of = dict(Region.objects.filter(path__in=ancestor_paths).values_list("path", "name"))
    found: dict[str, list[str]] = {}
    for text, names in wanted.items():
        found[text] = []
        for village in candidates:
            path_names = [
                name_of.get(village.path[:end], "")
                for end in range(Region.steplen, len(village.path), Region.steplen)
            ] + [village.name]
            # The names given must be the end of the village's path (a partial path is enough
            # when it names one village).
            if path_names[-len(names) :] == names:
                found[text].append(village.code)
    return found


def roster_validate(
    *,
    campaign: Campaign,
    rows: list[RosterRow],
    within: tuple[str, ...] | None = None,
    learners_within: tuple[str, ...] | None = None,
) -> list[RosterRow]:
    """Decide each row's outcome (new, existing or invalid, with reasons); writes nothing.

    A village is given by its code or by its name path; `within` (region paths) limits the
    villages and cohorts to the importing office's subtrees. `learners_within` (the importer's
    region paths; None for administrators) limits which registered learners may be matched: a
    number held by a learner outside them is a row error that names no one.
    """
    by_path = _villages_by_path(campaign, rows)
    for row in rows:
        matches = by_path.get(row.village_code)
        if matches is not None and len(matches) == 1:
            row.village_code = matches[0]
    cohorts = list(Cohort.objects.filter(campaign=campaign).select_related("village"))
    cohort_by_key = {c.join_code.casefold(): c for c in cohorts}
    cohort_by_key |= {c.name.casefold(): c for c in cohorts}
    codes = {r.village_code for r in rows}
    village_paths: dict[str, str] = {}
    code_list = list(codes)
    for start in range(0, len(code_list), 1000):
        village_paths.update(
            Region.objects.filter(
                campaign.region.subtree_filter(),
                level=Region.Level.VILLAGE,
                code__in=code_list[start : start + 1000],
            ).values_list("code", "path")
        )
    villages = set(village_paths)
    first_line: dict[str, int] = {}
    for row in rows:
        row.reasons = []
        if not row.name:
            row.reasons.append(str(ROW_NAME_MISSING))
        normalised = normalise_mobile(row.phone)
        if normalised is None:
            row.reasons.append(str(ROW_BAD_PHONE % {"phone": row.phone}))
        else:
            row.phone = normalised
            if normalised in first_line:
                row.reasons.append(str(ROW_DUPLICATE % {"line": first_line[normalised]}))
            else:
                first_line[normalised] = row.line
        matches = by_path.get(row.village_code)
        if matches is not None:
            message = ROW_AMBIGUOUS_VILLAGE_PATH if matches else ROW_UNKNOWN_VILLAGE_PATH
            row.reasons.append(str(message % {"path": row.village_code}))
        elif row.village_code not in villages:
            row.reasons.append(str(ROW_UNKNOWN_VILLAGE % {"code": row.village_code}))
        elif within is not None and not _inside(row.village_code, within, village_paths):
            row.reasons.append(str(ROW_VILLAGE_OUTSIDE_OFFICE % {"code": row.village_code}))
        row.cohort_id = None
        if row.cohort:
            cohort = cohort_by_key.get(row.cohort.casefold())
            if cohort is not None and within is not None:
                if not any(cohort.village.path.startswith(p) for p in within):
                    cohort = None  # another office's cohort: not named to this one
            if cohort is None:
                row.reasons.append(str(ROW_COHORT_OUTSIDE % {"cohort": row.cohort}))
            else:
                row.cohort_id = cohort.pk
    if learners_within is not None:
        outside = _phones_outside(first_line, learners_within)
        for row in rows:
            if row.phone in outside and not row.reasons:
                row.reasons.append(str(ROW_PHONE_NOT_HERE))
    existing = _existing_phones(first_line)
    for row in rows:
        if row.reasons:
            row.outcome = INVALID
        else:
            row.outcome = EXISTING if row.phone in existing else NEW
    return rows


def _inside(code: str, within: tuple[str, ...], village_paths: dict[str, str]) -> bool:
    path = village_paths.get(code, "")
    return any(path.startswith(p) for p in within)


def roster_preview(
    *,
    campaign: Campaign,
    uploaded_by,
    content: bytes,
    filename: str,
    within: tuple[str, ...] | None = None,
) -> RosterImport:
    """Parse and validate a roster file and keep the preview for the officer to confirm."""
    from core.scope import user_scope

    scope = user_scope(uploaded_by) if uploaded_by is not None else None
    rows = roster_validate(
        campaign=campaign,
        rows=parse_roster(content=content, filename=filename),
        within=within,
        learners_within=None if scope is None or scope.everything else scope.region_paths,
    )
    return RosterImport.objects.create(
        campaign=campaign,
        uploaded_by=uploaded_by,
        filename=filename[:200],
        rows=[asdict(r) for r in rows],
        valid_count=sum(r.outcome != INVALID for r in rows),
        invalid_count=sum(r.outcome == INVALID for r in rows),
    )


def roster_confirm(*, roster_import_id: int) -> RosterImport:
    """Start importing a previewed roster (once); large rosters go to a Celery worker."""
    from campaigns.tasks import roster_import_run
    from core.outbox.services import outbox_enqueue

    with transaction.atomic():
        roster = RosterImport.objects.select_for_update().get(pk=roster_import_id)
        if roster.status != RosterImport.Status.PREVIEW:
            raise ValidationError(ALREADY_CONFIRMED, code="confirmed")
        roster.status = RosterImport.Status.RUNNING
        roster.confirmed_at = timezone.now()
        roster.save(update_fields=["status", "confirmed_at"])
        # In the same transaction as the status: a crash cannot leave a roster "running" with
        # nothing queued to run it.
        queued = roster.valid_count > INLINE_LIMIT
        if queued:
            outbox_enqueue(task=roster_import_run, args=[roster.pk])
    if not queued:
        roster_run(roster_import_id=roster.pk)
    roster.refresh_from_db()
    return roster


def roster_run(*, roster_import_id: int) -> RosterImport:
    """Register or match the valid rows' learners and enroll them (idempotent on phone numbers).

    Rows go in batches of BATCH_ROWS, each one transaction of a constant number of queries (bulk
    inserts), which also records how far the import got: the page shows the progress, and a
    retried task resumes after the last committed batch.
    """
    from campaigns.tasks import rollups_refresh
    from core.outbox.services import outbox_enqueue
    from learners.accounts.services import learners_register_many
    from learners.services import enrollments_create_many

    roster = RosterImport.objects.select_related("campaign").get(pk=roster_import_id)
    if roster.status == RosterImport.Status.DONE:
        return roster
    campaign = roster.campaign
    courses = list(campaign.courses.specific())
    valid = [r for r in roster.rows if r["outcome"] != INVALID]
    for start in range(roster.processed_count, len(valid), BATCH_ROWS):
        batch = valid[start : start + BATCH_ROWS]
        with transaction.atomic():
            registration = learners_register_many(
                learners=[(r["name"], r["phone"], r["village_code"]) for r in batch],
                registered_by=roster.uploaded_by,
            )
            enrollments_create_many(
                campaign=campaign,
                courses=courses,
                cohort_of={registration.user_ids[r["phone"]]: r["cohort_id"] for r in batch},
            )
            roster.processed_count = start + len(batch)
            roster.registered_count += registration.created
            roster.matched_count += len(batch) - registration.created
            roster.save(update_fields=["processed_count", "registered_count", "matched_count"])
    roster.enrolled_count = len(valid)
    roster.status = RosterImport.Status.DONE
    roster.finished_at = timezone.now()
    with transaction.atomic():
        roster.save(update_fields=["enrolled_count", "status", "finished_at"])
        # The officer expects the dashboard to show the new learners without waiting for beat:
        # the enrollments marked their learners, the refresh applies just those (decision 0095).
        outbox_enqueue(task=rollups_refresh, key="rollups-refresh")
    return roster
