"""Exports of campaign figures and learner lists as CSV or XLSX; every export is logged.

Phones are masked unless the user holds `campaigns.view_contact_details`; any text cell that a
spreadsheet would read as a formula is neutralised with a leading apostrophe.
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from functools import reduce
from operator import or_

from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from campaigns.dashboard import (
    DashboardScope,
    cohort_breakdown,
    course_breakdown,
    kpis,
    region_breakdown,
    weekly_trend,
)
from campaigns.models import ExportLog
from core.models import Campaign, Cohort, ProgramOffice, Region

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")
# Learner lists longer than this are built by a Celery worker and offered when ready.
INLINE_ROW_LIMIT = 5_000


def neutralise(value):
    """A cell value that no spreadsheet will evaluate as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _full_phone(phone: str | None) -> str:
    # National form: a leading "+" would be neutralised as a possible formula ("'+86…").
    return (phone or "").removeprefix("+86")


# --- tables ------------------------------------------------------------------------------------


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


# Rows fetched from the database per round trip; also the server-side cursor's fetch size.
EXPORT_CHUNK = 2_000


def _learner_enrollments(scope: DashboardScope, region: Region | None):
    """The scope's enrollments, below `region` when it is not the scope's root."""
    from learners.models import Enrollment

    enrollments = Enrollment.objects.filter(campaign_id__in=scope.campaign_ids)
    if scope.cohort_ids is not None:
        enrollments = enrollments.filter(cohort_id__in=scope.cohort_ids)
    if scope.subtrees is not None:
        # An office below the campaign's region: only learners of its subtrees (decision 0090).
        # As in the rollups: the learner's village, else (none given) their cohort's village.
        inside = reduce(or_, (Q(path__startswith=p) for p in scope.subtrees))
        codes = Region.objects.filter(inside).values("code")
        enrollments = enrollments.filter(
            Q(learner__learner_profile__village_code__in=codes)
            | Q(learner__learner_profile__village_code="", cohort__village__code__in=codes)
        )
    if region is not None and region.pk != scope.root.pk:
        codes = Region.objects.filter(path__startswith=region.path).values("code")
        enrollments = enrollments.filter(learner__learner_profile__village_code__in=codes)
    return enrollments


def learner_table(
    scope: DashboardScope, region: Region | None, full_phones: bool
) -> tuple[list[str], Iterator[list]]:
    """Header and rows (one per enrollment) of the learners in the scope, below `region`.

    The rows are plain tuples streamed from one query (a server-side cursor on PostgreSQL, read
    EXPORT_CHUNK rows at a time) joined to the learner's profile; campaign, course and cohort
    names come from three small lookups made once, so the query count does not grow with the
    number of rows and no model instance is built per row.
    """
    from core.phone import mask_phone
    from courses.models import CoursePage

    enrollments = _learner_enrollments(scope, region)
    campaigns = dict(Campaign.objects.filter(pk__in=scope.campaign_ids).values_list("pk", "title"))
    cohorts = dict(
        Cohort.objects.filter(campaign_id__in=scope.campaign_ids).values_list("pk", "name")
    )
    courses = dict(
        CoursePage.objects.filter(
            pk__in=enrollments.order_by().values("course_id").distinct()
        ).values_list("pk", "title")
    )
    values = enrollments.order_by("campaign_id", "learner_id", "course_id").values_list(
        "campaign_id",
        "learner__learner_profile__display_name",
        "learner__learner_profile__phone",
        "learner__learner_profile__village_code",
        "cohort_id",
        "course_id",
        "progress_percent",
        "enrolled_at",
        "last_activity_at",
        "completed_at",
    )
    header = [
        _("Campaign"),
        _("Name"),
        _("Phone"),
        _("Village code"),
        _("Cohort"),
        _("Course"),
        _("Progress %"),
        _("Enrolled"),
        _("Last activity"),
        _("Completed"),
    ]

    def phone_cell(phone: str | None) -> str:
        if not phone:
            return ""
        return _full_phone(phone) if full_phones else mask_phone(phone)

    def rows():
        for (
            campaign_id,
            name,
            phone,
            village_code,
            cohort_id,
            course_id,
            percent,
            enrolled_at,
            last_activity_at,
            completed_at,
        ) in values.iterator(chunk_size=EXPORT_CHUNK):
            yield [
                campaigns.get(campaign_id, ""),
                name or "",
                phone_cell(phone),
                village_code or "",
                cohorts.get(cohort_id, ""),
                courses.get(course_id, ""),
                percent,
                _local(enrolled_at),
                _local(last_activity_at),
                _local(completed_at),
            ]

    return header, rows()


def learner_count(scope: DashboardScope) -> int:
    """How many rows a learner export of the scope would have (enrollments)."""
    return _learner_enrollments(scope, None).count()


def aggregate_tables(scope: DashboardScope, region: Region) -> list[tuple[str, list, list]]:
    """The figures on the dashboard screen as (sheet title, header, rows) tables."""
    counts = [_("Enrolled"), _("Active in last 7 days"), _("Completed"), _("Certificates")]

    def figures(f):
        return [f.enrolled, f.active_7d, f.completed, f.certificates]

    summary = kpis(scope)
    tables = [
        (
            _("Summary"),
            [
                *counts,
                _("Target"),
                _("Person-times vs target %")
                if summary["target_kind"] == "person_times"
                else _("Completion vs target %"),
            ],
            [
                [
                    summary["enrolled"],
                    summary["active_7d"],
                    summary["completed"],
                    summary["certificates"],
                    summary["target"] if summary["target"] is not None else "",
                    summary["target_percent"] if summary["target_percent"] is not None else "",
                ]
            ],
        ),
        (
            _("Regions"),
            [_("Region"), _("Division code"), *counts],
            [
                [f.label, f.region.code if f.region else "", *figures(f)]
                for f in region_breakdown(scope, region)
            ],
        ),
        (
            _("Courses"),
            [_("Course"), *counts],
            [[f.label, *figures(f)] for f in course_breakdown(scope)],
        ),
        (
            _("Cohorts"),
            [_("Cohort"), _("Trainer"), _("Village"), *counts],
            [
                [f.label, f.extra.get("trainer", ""), f.extra.get("village", ""), *figures(f)]
                for f in cohort_breakdown(scope)
            ],
        ),
        (
            _("Weekly"),
            [_("Week starting"), _("Joined"), _("Active"), _("Completed")],
            [
                [r["week"].isoformat(), r["joined"], r["active"], r["completed"]]
                for r in weekly_trend(scope)
            ],
        ),
    ]
    return tables


# --- writers -----------------------------------------------------------------------------------


def write_csv(tables: list[tuple[str, list, Iterable[list]]], target) -> int:
    """Write tables one after another (a title line, a header, rows); returns the data rows."""
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    count = 0
    for index, (title, header, rows) in enumerate(tables):
        if len(tables) > 1:
            if index:
                writer.writerow([])
            writer.writerow([neutralise(title)])
        writer.writerow([neutralise(h) for h in header])
        for row in rows:
            writer.writerow([neutralise(v) for v in row])
            count += 1
    text.flush()
    text.detach()
    return count


def write_xlsx(tables: list[tuple[str, list, Iterable[list]]], target) -> int:
    """One sheet per table (write-only mode: constant memory); returns the data rows."""
    workbook = Workbook(write_only=True)
    count = 0
    for title, header, rows in tables:
        sheet = workbook.create_sheet(title=str(title)[:31])
        sheet.append([neutralise(h) for h in header])
        for row in rows:
            sheet.append([neutralise(v) for v in row])
            count += 1
    workbook.save(target)
    return count


# --- services ----------------------------------------------------------------------------------


def export_build(*, export_id: int, scope: DashboardScope, region: Region) -> ExportLog:
    """Build the file of a logged export and record its row count."""
    log = ExportLog.objects.get(pk=export_id)
    if log.kind == ExportLog.Kind.LEARNERS:
        header, rows = learner_table(scope, region, log.full_phone_numbers)
        tables = [(_("Learners"), header, rows)]
    else:
        tables = aggregate_tables(scope, region)
    writer = write_xlsx if log.file_format == "xlsx" else write_csv
    with tempfile.TemporaryFile() as handle:
        log.row_count = writer(tables, handle)
        handle.seek(0)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        log.file.save(f"{log.kind}-{stamp}-{log.pk}.{log.file_format}", File(handle), save=False)
    log.status = ExportLog.Status.READY
    log.finished_at = timezone.now()
    log.save()
    return log


def export_start(
    *,
    user,
    scope: DashboardScope,
    region: Region,
    kind: str,
    file_format: str,
    campaign: Campaign | None = None,
    office: ProgramOffice | None = None,
) -> ExportLog:
    """Log an export and build it now, or in a worker when the learner list is long."""
    # The log row and its queued build are written together: never a "pending" export with
    # nothing queued to build it.
    with transaction.atomic():
        log, queued = _export_log_create(
            user=user,
            scope=scope,
            region=region,
            kind=kind,
            file_format=file_format,
            campaign=campaign,
            office=office,
        )
    if queued:
        return log
    return export_build(export_id=log.pk, scope=scope, region=region)


def _export_log_create(*, user, scope, region, kind, file_format, campaign, office):
    """The log row, and (for a long learner list) its build queued in the outbox; True if so."""
    from campaigns.tasks import export_build_task
    from core.outbox.services import outbox_enqueue

    log = ExportLog.objects.create(
        user=user,
        campaign=campaign,
        office=office,
        kind=kind,
        file_format=file_format,
        region_code=region.code,
        full_phone_numbers=kind == ExportLog.Kind.LEARNERS
        and user.has_perm("core.view_contact_details"),
        status=ExportLog.Status.PENDING,
    )
    if kind == ExportLog.Kind.LEARNERS and learner_count(scope) > INLINE_ROW_LIMIT:
        cohorts = list(scope.cohort_ids) if scope.cohort_ids is not None else None
        outbox_enqueue(task=export_build_task, args=[log.pk, list(scope.campaign_ids), cohorts])
        return log, True
    return log, False


def scope_from_ids(
    campaign_ids: list[int], cohort_ids: list[int] | None, export: ExportLog
) -> tuple[DashboardScope, Region]:
    """Rebuild a scope in a worker from the ids the view resolved."""
    root = export.office.region if export.office else export.campaign.region
    region = Region.objects.filter(code=export.region_code).first() or root
    subtrees = None
    if export.campaign is not None and export.user is not None:
        # The requesting officer's subtrees are worked out again, never widened by the worker.
        from campaigns.selectors import campaign_part_for

        part = campaign_part_for(user=export.user, campaign=export.campaign)
        subtrees = part.subtrees or None
    scope = DashboardScope(
        tuple(campaign_ids),
        root,
        None,
        tuple(cohort_ids) if cohort_ids is not None else None,
        subtrees=subtrees,
    )
    return scope, region
