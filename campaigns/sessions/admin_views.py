"""Trainer and officer screens (Wagtail admin): schedule, the check-in code, ticks, walk-ins.

Who may open a session: anyone whose scope shows its cohort (the trainer of the cohort, the
offices over its village). Everything else is answered with 404.
"""

import json
import uuid

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from core.models import Region

from . import codes
from .forms import SessionForm, WalkInForm
from .selectors import attendance_dashboard, session_roster, sessions_visible
from .services import (
    attendance_tick,
    attendance_walk_in,
    session_is_open,
    session_schedule,
    session_window,
)

SCHEDULED = _("The session is scheduled.")
TICKED = _("%(name)s is checked in.")
WALKED_IN = _("The walk-in is registered and checked in.")
VILLAGE_UNKNOWN = _("No village has this code.")


def _session(request, pk: int):
    return get_object_or_404(sessions_visible(user=request.user), pk=pk)


class SessionListView(WagtailAdminTemplateMixin, TemplateView):
    """Upcoming and past sessions of the user's cohorts (officers: their subtree)."""

    page_title = _("Training sessions")
    header_icon = "date"
    template_name = "campaigns/sessions/admin/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sessions = sessions_visible(user=self.request.user).order_by("-starts_at")[:200]
        context["sessions"] = sessions
        if self.request.user.has_perm("core.export_figures"):
            from ..selectors import offices_visible

            context["offices"] = offices_visible(user=self.request.user).order_by("region__path")
        return context


class SessionCreateView(WagtailAdminTemplateMixin, TemplateView):
    """Schedule a session for a cohort."""

    page_title = _("Schedule a session")
    header_icon = "date"
    template_name = "campaigns/sessions/admin/create.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", SessionForm(user=self.request.user))
        return context

    def post(self, request, *args, **kwargs):
        form = SessionForm(request.POST, user=request.user)
        if form.is_valid():
            village = None
            code = form.cleaned_data["village_code"].strip()
            if code:
                village = Region.objects.filter(code=code).first()
                if village is None:
                    form.add_error("village_code", VILLAGE_UNKNOWN)
            if not form.errors:
                try:
                    session = session_schedule(
                        user=request.user,
                        cohort=form.cleaned_data["cohort"],
                        starts_at=form.starts_at(),
                        planned_minutes=form.cleaned_data["planned_minutes"],
                        village=village,
                        place=form.cleaned_data["place"],
                        lessons=form.cleaned_data["lessons"],
                    )
                except ValidationError as error:
                    if hasattr(error, "error_dict"):
                        for field, errors in error.message_dict.items():
                            target = "village_code" if field == "village" else field
                            form.add_error(target if target in form.fields else None, errors)
                    else:
                        form.add_error(None, error)
                else:
                    messages.success(request, SCHEDULED)
                    return redirect("training_sessions:detail", session.pk)
        return self.render_to_response(self.get_context_data(form=form))


class SessionDetailView(WagtailAdminTemplateMixin, TemplateView):
    """A session: its window, the link to the check-in code, the tick list and walk-ins."""

    header_icon = "date"
    template_name = "campaigns/sessions/admin/detail.html"

    def dispatch(self, request, *args, **kwargs):
        self.session = _session(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return str(_("Training session"))

    def get_page_subtitle(self):
        starts = timezone.localtime(self.session.starts_at)
        return f"{self.session.cohort.name} · {starts:%Y-%m-%d %H:%M}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        opens, closes = session_window(self.session)
        roster = session_roster(session=self.session)
        context.update(
            {
                "session": self.session,
                "opens": opens,
                "closes": closes,
                "is_open": session_is_open(self.session, at=timezone.now()),
                "roster": roster,
                "present": sum(1 for row in roster if row["attendance"]),
                "attendance_count": self.session.attendances.count(),
                "walk_in_form": kwargs.get("walk_in_form") or WalkInForm(),
                # A fresh client id per form: a double tap or a replayed POST is a no-op.
                "new_id": uuid.uuid4,
                "lessons": self.session.lessons.all(),
            }
        )
        return context


class SessionCodeView(WagtailAdminTemplateMixin, TemplateView):
    """The screen learners scan or read: a QR code and the 4-digit code of this minute."""

    header_icon = "date"
    page_title = _("Check-in code")
    template_name = "campaigns/sessions/admin/code.html"

    def dispatch(self, request, *args, **kwargs):
        self.session = _session(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        code = codes.current_code(secret=self.session.secret, at=now)
        url = self.request.build_absolute_uri(
            reverse("sessions_check_in_session", args=[self.session.public_id])
        )
        qr = segno.make(f"{url}?code={code}", error="m")
        context.update(
            {
                "session": self.session,
                "code": code,
                "qr_svg": qr.svg_inline(scale=6, dark="#000", light="#fff"),
                "is_open": session_is_open(self.session, at=now),
                # Reload just after the minute turns.
                "refresh_seconds": codes.seconds_left(at=now) + 1,
            }
        )
        return context


@require_POST
def session_tick(request, pk: int):
    """The trainer ticks a cohort member as present (form post; idempotent on its id)."""
    session = _session(request, pk)
    try:
        attendance_id = uuid.UUID(request.POST.get("id", ""))
        learner_id = int(request.POST.get("learner", ""))
    except ValueError:
        return HttpResponseBadRequest()
    learner = _member(session, learner_id)
    try:
        attendance_tick(
            recorder=request.user, session=session, learner=learner, attendance_id=attendance_id
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        name = getattr(getattr(learner, "learner_profile", None), "display_name", "")
        messages.success(request, TICKED % {"name": name or "—"})
    return redirect("training_sessions:detail", session.pk)


def _member(session, learner_id: int):
    from django.contrib.auth import get_user_model

    learner = (
        get_user_model()
        .objects.filter(pk=learner_id, enrollments__cohort=session.cohort)
        .select_related("learner_profile")
        .first()
    )
    if learner is None:
        raise Http404
    return learner


@require_POST
def session_walk_in(request, pk: int):
    """Register a walk-in by name and phone, add them to the cohort and tick them."""
    session = _session(request, pk)
    form = WalkInForm(request.POST)
    if form.is_valid():
        try:
            attendance_id = uuid.UUID(request.POST.get("id", ""))
        except ValueError:
            return HttpResponseBadRequest()
        try:
            attendance_walk_in(
                recorder=request.user,
                session=session,
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
                attendance_id=attendance_id,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, WALKED_IN)
            return redirect("training_sessions:detail", session.pk)
    view = SessionDetailView.as_view()
    request.method = "GET"
    response = view(request, pk=pk, walk_in_form=form)
    response.status_code = 400
    return response


@require_POST
def session_attendance_sync(request, pk: int):
    """JSON sync of the trainer's offline ticks: `{"ticks": [{"id", "learner", "at"}]}`.

    Idempotent like progress events: each tick's id is the attendance row's primary key, so a
    batch sent twice changes nothing. Answers the ids accepted and, per refused id, why.
    """
    session = _session(request, pk)
    try:
        ticks = json.loads(request.body or b"{}")["ticks"]
        if not isinstance(ticks, list) or len(ticks) > 500:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "bad request"}, status=400)
    accepted, refused = [], {}
    from django.contrib.auth import get_user_model

    members = set(
        get_user_model()
        .objects.filter(enrollments__cohort=session.cohort)
        .values_list("pk", flat=True)
    )
    for tick in ticks:
        try:
            attendance_id = uuid.UUID(str(tick["id"]))
            learner_id = int(tick["learner"])
            at = parse_datetime(str(tick.get("at") or "")) or timezone.now()
            if timezone.is_naive(at):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            refused[str(tick.get("id") if isinstance(tick, dict) else "")] = "malformed"
            continue
        if learner_id not in members:
            refused[str(attendance_id)] = "not_in_cohort"
            continue
        learner = get_user_model()(pk=learner_id)
        try:
            attendance_tick(
                recorder=request.user,
                session=session,
                learner=learner,
                attendance_id=attendance_id,
                at=min(at, timezone.now()),
            )
        except ValidationError:
            refused[str(attendance_id)] = "id_reused"
            continue
        accepted.append(str(attendance_id))
    return JsonResponse({"accepted": accepted, "refused": refused})


class SessionFiguresView(WagtailAdminTemplateMixin, TemplateView):
    """A campaign's attendance figures at one drill level (linked from its dashboard)."""

    header_icon = "view"
    page_title = _("Village training sessions")
    template_name = "campaigns/sessions/admin/figures.html"

    def dispatch(self, request, *args, **kwargs):
        from ..dashboard import campaign_scope, region_in_scope
        from ..selectors import campaigns_visible

        if not request.user.has_perm("core.view_dashboard"):
            raise PermissionDenied
        self.campaign = get_object_or_404(campaigns_visible(user=request.user), pk=kwargs["pk"])
        scope = campaign_scope(user=request.user, campaign=self.campaign)
        self.region = region_in_scope(scope, request.GET.get("region", ""))
        if self.region is None:
            raise Http404
        self.root = scope.root
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.campaign.title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        figures = attendance_dashboard(
            user=self.request.user, campaign=self.campaign, region=self.region
        )
        # Region rows drill down (villages are the last level).
        codes_by_path = dict(
            Region.objects.filter(path__startswith=self.region.path)
            .exclude(level=Region.Level.VILLAGE)
            .values_list("path", "code")
        )
        context["attendance"] = figures["attendance"]
        context["attendance_tables"] = [
            (
                title,
                [(row, codes_by_path.get(row.key) if index == 0 else None) for row in rows],
            )
            for index, (title, rows) in enumerate(figures["attendance_tables"])
        ]
        context["campaign"] = self.campaign
        context["region"] = self.region
        context["drill_path"] = Region.objects.filter(
            path__in=[
                self.region.path[:end]
                for end in range(len(self.root.path), len(self.region.path) + 1, Region.steplen)
            ]
        ).order_by("path")
        return context


def _month(value: str):
    import datetime

    try:
        year, month = (int(part) for part in value.split("-"))
        return datetime.date(year, month, 1)
    except (ValueError, TypeError):
        return None


class MonthlyReportView(WagtailAdminTemplateMixin, TemplateView):
    """An office's monthly report on screen, with XLSX and PDF downloads (logged)."""

    header_icon = "doc-full"
    page_title = _("Monthly report")
    template_name = "campaigns/sessions/admin/report.html"

    def dispatch(self, request, *args, **kwargs):
        from ..selectors import offices_visible

        if not request.user.has_perm("core.export_figures"):
            raise PermissionDenied
        self.office = get_object_or_404(offices_visible(user=request.user), pk=kwargs["pk"])
        self.month = _month(request.GET.get("month", "")) or timezone.localdate().replace(day=1)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.office.name

    def get_context_data(self, **kwargs):
        from .report import headers, monthly_report

        context = super().get_context_data(**kwargs)
        context["report"] = monthly_report(
            user=self.request.user, office=self.office, month=self.month
        )
        context["headers"] = headers()
        context["office"] = self.office
        context["month"] = f"{self.month:%Y-%m}"
        return context


def monthly_report_download(request, pk: int, fmt: str):
    """The monthly report as XLSX or PDF: stored privately, logged, sent to its maker."""
    from django.core.files.base import ContentFile

    from ..models import ExportLog
    from ..selectors import offices_visible
    from .report import monthly_report, report_pdf, report_xlsx

    if not request.user.has_perm("core.export_figures"):
        raise PermissionDenied
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    office = get_object_or_404(offices_visible(user=request.user), pk=pk)
    month = _month(request.GET.get("month", "")) or timezone.localdate().replace(day=1)
    report = monthly_report(user=request.user, office=office, month=month)
    content = report_xlsx(report) if fmt == "xlsx" else report_pdf(report)
    log = ExportLog.objects.create(
        user=request.user,
        office=office,
        kind=ExportLog.Kind.AGGREGATES,
        file_format=fmt,
        region_code=office.region.code,
        row_count=len(report.rows),
        status=ExportLog.Status.READY,
        finished_at=timezone.now(),
    )
    log.file.save(f"monthly-{office.region.code}-{month:%Y-%m}.{fmt}", ContentFile(content))
    types = {
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf": "application/pdf",
    }
    response = HttpResponse(content, content_type=types[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="monthly-{office.region.code}-{month:%Y-%m}.{fmt}"'
    )
    return response
