"""Exports of campaign figures and learner lists as CSV or XLSX; every export is logged.

Phones are masked unless the user holds `campaigns.view_contact_details`; any text cell that a
spreadsheet would read as a formula is neutralised with a leading apostrophe.
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator

from django.core.files import File
from django.db.models import OuterRef, Subquery
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
from campaigns.models import Campaign, ExportLog, ProgramOffice, Region

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")
# Learner lists longer than this are built by a Celery worker and offered when ready.
INLINE_ROW_LIMIT = 5_000


def neutralise(value):
    """A cell value that no spreadsheet will evaluate as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def mask_phone(phone: str | None) -> str:
    """+8613812345678 → 138****5678 (empty when there is no number)."""
    from learners.accounts.phone import mask_phone as learners_mask_phone

    return learners_mask_phone(phone) if phone else ""


def _full_phone(phone: str | None) -> str:
    # National form: a leading "+" would be neutralised as a possible formula ("'+86…").
    return (phone or "").removeprefix("+86")


# --- tables ------------------------------------------------------------------------------------


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def learner_table(
    scope: DashboardScope, region: Region | None, full_phones: bool
) -> tuple[list[str], Iterator[list]]:
    """Header and rows (one per enrollment) of the learners in the scope, below `region`."""
    from learners.accounts.models import LearnerProfile
    from learners.models import Enrollment

    profile = LearnerProfile.objects.filter(user_id=OuterRef("learner_id"))
    enrollments = (
        Enrollment.objects.filter(campaign_id__in=scope.campaign_ids)
        .annotate(
            name=Subquery(profile.values("display_name")[:1]),
            phone=Subquery(profile.values("phone")[:1]),
            village_code=Subquery(profile.values("village_code")[:1]),
        )
        .select_related("course", "cohort", "campaign")
        .order_by("campaign_id", "learner_id", "course_id")
    )
    if scope.cohort_ids is not None:
        enrollments = enrollments.filter(cohort_id__in=scope.cohort_ids)
    if region is not None and region.pk != scope.root.pk:
        codes = Region.objects.filter(path__startswith=region.path).values("code")
        enrollments = enrollments.filter(village_code__in=codes)
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

    def rows():
        for e in enrollments.iterator(chunk_size=2000):
            yield [
                e.campaign.title,
                e.name or "",
                _full_phone(e.phone) if full_phones else mask_phone(e.phone),
                e.village_code or "",
                e.cohort.name if e.cohort else "",
                e.course.title,
                e.progress_percent,
                _local(e.enrolled_at),
                _local(e.last_activity_at),
                _local(e.completed_at),
            ]

    return header, rows()


def learner_count(scope: DashboardScope) -> int:
    """How many rows a learner export of the scope would have (enrollments)."""
    from learners.models import Enrollment

    enrollments = Enrollment.objects.filter(campaign_id__in=scope.campaign_ids)
    if scope.cohort_ids is not None:
        enrollments = enrollments.filter(cohort_id__in=scope.cohort_ids)
    return enrollments.count()


def aggregate_tables(scope: DashboardScope, region: Region) -> list[tuple[str, list, list]]:
    """The figures on the dashboard screen as (sheet title, header, rows) tables."""
    counts = [_("Enrolled"), _("Active in last 7 days"), _("Completed"), _("Certificates")]

    def figures(f):
        return [f.enrolled, f.active_7d, f.completed, f.certificates]

    summary = kpis(scope)
    tables = [
        (
            _("Summary"),
            [*counts, _("Target"), _("Completion vs target %")],
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
    from campaigns.tasks import export_build_task

    log = ExportLog.objects.create(
        user=user,
        campaign=campaign,
        office=office,
        kind=kind,
        file_format=file_format,
        region_code=region.code,
        full_phone_numbers=kind == ExportLog.Kind.LEARNERS
        and user.has_perm("campaigns.view_contact_details"),
        status=ExportLog.Status.PENDING,
    )
    if kind == ExportLog.Kind.LEARNERS and learner_count(scope) > INLINE_ROW_LIMIT:
        cohorts = list(scope.cohort_ids) if scope.cohort_ids is not None else None
        export_build_task.delay(log.pk, list(scope.campaign_ids), cohorts)
        return log
    return export_build(export_id=log.pk, scope=scope, region=region)


def scope_from_ids(
    campaign_ids: list[int], cohort_ids: list[int] | None, export: ExportLog
) -> tuple[DashboardScope, Region]:
    """Rebuild a scope in a worker from the ids the view resolved."""
    root = export.office.region if export.office else export.campaign.region
    region = Region.objects.filter(code=export.region_code).first() or root
    scope = DashboardScope(
        tuple(campaign_ids), root, None, tuple(cohort_ids) if cohort_ids is not None else None
    )
    return scope, region
