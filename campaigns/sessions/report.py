"""The monthly report of an office (issue 20): sessions, person-times, attendees, new learners,
completions and certificates of one calendar month, by township, as XLSX and a Chinese PDF.

Everything is narrowed to the office's region subtree inside the asking user's scope (the office
comes from `offices_visible`, the campaigns from `campaigns_visible`).
"""

import datetime
import functools
import io
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import ProgramOffice, Region

from ..selectors import campaigns_visible
from .models import Attendance
from .selectors import sessions_visible

TOWNSHIP_DEPTH = 4  # province, prefecture, county, township
FIGURES = ("sessions", "person_times", "attendees", "new_learners", "completions", "certificates")


@dataclass
class ReportRow:
    """One township's figures (or the office's total)."""

    label: str
    sessions: int = 0
    person_times: int = 0
    attendees: int = 0
    new_learners: int = 0
    completions: int = 0
    certificates: int = 0
    path: str = field(default="", repr=False)


@dataclass
class MonthlyReport:
    office: ProgramOffice
    month: datetime.date
    rows: list[ReportRow]
    total: ReportRow


def _month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime(month.year, month.month, 1, tzinfo=zone)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, datetime.datetime(following.year, following.month, 1, tzinfo=zone)


def monthly_report(*, user, office: ProgramOffice, month: datetime.date) -> MonthlyReport:
    """The office's figures for one month, by township (see the module docstring)."""
    from learners.accounts.models import LearnerProfile
    from learners.certificates.models import Certificate
    from learners.models import Enrollment

    start, end = _month_bounds(month)
    now = timezone.now()
    root = office.region.path
    depth = max(len(root), TOWNSHIP_DEPTH * Region.steplen)
    rows: dict[str, ReportRow] = {}

    def row(key: str) -> ReportRow:
        return rows.setdefault(key, ReportRow(label="", path=key))

    sessions = sessions_visible(user=user).filter(
        village__path__startswith=root, starts_at__gte=start, starts_at__lt=end
    )
    for item in (
        sessions.filter(starts_at__lte=now)
        .annotate(k=Substr("village__path", 1, depth))
        .values("k")
        .annotate(n=Count("pk"))
    ):
        row(item["k"]).sessions = item["n"]
    attendances = Attendance.objects.filter(session__in=sessions.values("pk"))
    for item in (
        attendances.annotate(k=Substr("session__village__path", 1, depth))
        .values("k")
        .annotate(n=Count("pk"), people=Count("learner_id", distinct=True))
    ):
        row(item["k"]).person_times = item["n"]
        row(item["k"]).attendees = item["people"]

    # Learners are placed by the village code on their profile.
    villages = dict(
        Region.objects.filter(path__startswith=root, level=Region.Level.VILLAGE).values_list(
            "code", "path"
        )
    )
    campaigns = campaigns_visible(user=user).values("pk")
    enrollments = Enrollment.objects.filter(
        campaign__in=campaigns,
        learner__learner_profile__village_code__in=list(villages),
    )
    places = dict(
        LearnerProfile.objects.filter(village_code__in=list(villages)).values_list(
            "user_id", "village_code"
        )
    )
    new_by: dict[str, set] = {}
    for learner_id in (
        enrollments.filter(enrolled_at__gte=start, enrolled_at__lt=end)
        .values_list("learner_id", flat=True)
        .distinct()
    ):
        new_by.setdefault(villages[places[learner_id]][:depth], set()).add(learner_id)
    for key, people in new_by.items():
        row(key).new_learners = len(people)
    for learner_id in enrollments.filter(completed_at__gte=start, completed_at__lt=end).values_list(
        "learner_id", flat=True
    ):
        row(villages[places[learner_id]][:depth]).completions += 1
    for learner_id in Certificate.objects.filter(
        Q(campaign__in=campaigns),
        status=Certificate.Status.ISSUED,
        issued_at__gte=start,
        issued_at__lt=end,
        learner_id__in=list(places),
    ).values_list("learner_id", flat=True):
        row(villages[places[learner_id]][:depth]).certificates += 1

    names = dict(Region.objects.filter(path__in=list(rows)).values_list("path", "name"))
    ordered = sorted(rows.values(), key=lambda r: r.path)
    for item in ordered:
        item.label = names.get(item.path, "—")
    total = ReportRow(label=_("Total"))
    for name in FIGURES:
        setattr(total, name, sum(getattr(r, name) for r in ordered))
    total.attendees = attendances.values("learner_id").distinct().count()
    return MonthlyReport(office=office, month=month, rows=ordered, total=total)


def headers() -> list[str]:
    return [
        _("Township"),
        _("Sessions held"),
        _("Person-times"),
        _("Attendees"),
        _("New learners"),
        _("Completions"),
        _("Certificates issued"),
    ]


def _values(row: ReportRow) -> list:
    return [row.label, *(getattr(row, name) for name in FIGURES)]


def report_title(report: MonthlyReport) -> str:
    return _("%(office)s: training report for %(month)s") % {
        "office": report.office.name,
        "month": f"{report.month:%Y-%m}",
    }


def report_xlsx(report: MonthlyReport) -> bytes:
    """The report as an XLSX workbook; text cells cannot start a formula."""
    from openpyxl import Workbook

    from ..services.exports import neutralise

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{report.month:%Y-%m}"
    sheet.append([neutralise(report_title(report))])
    sheet.append([neutralise(h) for h in headers()])
    for item in [*report.rows, report.total]:
        sheet.append([neutralise(v) for v in _values(item)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@functools.cache
def _font() -> str:
    from reportlab.pdfbase import pdfmetrics, ttfonts

    from learners.certificates import fonts

    face = fonts.faces()[0]
    name = f"report-{face.key}"
    pdfmetrics.registerFont(ttfonts.TTFont(name, str(fonts.static_path(face))))
    return name


def report_pdf(report: MonthlyReport) -> bytes:
    """The report as a printable A4 PDF in Chinese (CJK font embedded as a subset)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=report_title(report))
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22)
    small = ParagraphStyle("small", fontName=font, fontSize=9, leading=12)
    data = [headers(), *(_values(r) for r in report.rows), _values(report.total)]
    table = Table(data, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 10),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
            ]
        )
    )
    generated = timezone.localtime(timezone.now())
    document.build(
        [
            Paragraph(report_title(report), title),
            Spacer(1, 12),
            table,
            Spacer(1, 12),
            Paragraph(_("Generated %(when)s.") % {"when": f"{generated:%Y-%m-%d %H:%M}"}, small),
        ]
    )
    return buffer.getvalue()
