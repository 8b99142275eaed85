"""Trainer and officer screens (Wagtail admin): schedule, the check-in code, ticks, walk-ins.

Who may open a session: anyone whose scope shows its cohort (the trainer of the cohort, the
offices over its village). Everything else is answered with 404.
"""

import json
import uuid

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..models import Region
from . import codes
from .forms import SessionForm, WalkInForm
from .selectors import session_roster, sessions_visible
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
