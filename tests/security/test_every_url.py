"""The access matrix over every URL of the site and the admin, for seven roles (issue 8, point 2).

Every URL pattern Django knows (the Wagtail admin's included) must match a row of RULES below,
so a new URL without a decision about who may open it fails `test_every_url_has_a_row`. For each
URL and role the test asserts the outcome: roles outside a row's `allowed` set must be refused
(403/404/405/400, or sent to sign in / the admin home) — never a page with data, never a file;
roles inside it must not be refused when the URL names a real object of the world (`world.py`:
objects in the officer's county A; the other officer's office is in county B).
"""

import fnmatch
from dataclasses import dataclass

import pytest
from django.test import Client

from . import world as world_module
from .url_matrix import Route, fill, routes

pytestmark = pytest.mark.django_db

EVERYONE = frozenset(world_module.ROLES)
LEARNERS = frozenset({"learner", "other_learner"})
SIGNED_IN = EVERYONE - {"anonymous"}
STAFF = frozenset({"trainer", "officer_elsewhere", "officer", "administrator"})
OFFICERS_HERE = frozenset({"officer", "administrator"})  # the object is in county A
OFFICE_STAFF = frozenset({"officer_elsewhere", "officer", "administrator"})
EDITORS = STAFF
ADMIN = frozenset({"administrator"})
NOBODY = frozenset()
OWNER = frozenset({"learner"})  # the learner whose certificate / enrollment the URL names


@dataclass(frozen=True)
class Rule:
    """Who may open the URLs whose name (or route) matches `pattern`."""

    pattern: str
    allowed: frozenset
    why: str = ""


def outcome(response) -> str:
    """'refused', 'error' or 'served'."""
    status = response.status_code
    if status >= 500:
        return "error"
    if status in (400, 401, 403, 404, 405, 410):
        return "refused"
    if status in (301, 302, 303, 307, 308):
        location = response.get("Location", "")
        if "login" in location or location.rstrip("/").endswith("/admin") or "/2fa/" in location:
            return "refused"
    return "served"


# Which object a namespace's `pk` (and friends) names.
NAMESPACE_OBJECTS = {
    "campaigns": "campaign",
    "cohorts": "cohort",
    "program_offices": "office",
    "regions": "region",
    "certificate_registry": "certificate",
    "audit_log": "audit",
    "wagtailimages": "image",
    "wagtailimages_chooser": "image",
    "wagtailadmin_api:images": "image",
    "wagtaildocs": "document",
    "wagtaildocs_chooser": "document",
    "wagtailadmin_api:documents": "document",
    "wagtailadmin_api:pages": "course",
    "wagtailusers_users": "learner",
    "wagtailusers_groups": "group",
    "wagtailsites": "site",
    "wagtaillocales": "locale",
    "wagtailredirects": "redirect",
    "wagtailsnippets_courses_topic": "topic",
    "wagtailsnippetchoosers_courses_topic": "topic",
    "wagtailadmin_collections": "collection",
    "wagtailadmin_workflows": "workflow",
    "wagtailadmin_pages": "course",
}


def _training_session(world):
    """A session of the world's cohort (county A), open now (issue 20); made on first use."""
    if not hasattr(world, "training_session"):
        from django.utils import timezone

        from campaigns.sessions.services import session_schedule

        world.training_session = session_schedule(
            user=world.users["administrator"],
            cohort=world.cohort,
            starts_at=timezone.now(),
            planned_minutes=90,
        )
    return world.training_session


def _reminder_rule(world):
    """A reminder rule of the world's campaign (issue 19); made on first use."""
    if not hasattr(world, "reminder_rule"):
        from campaigns.reminders.models import ReminderRule

        world.reminder_rule = ReminderRule.objects.create(campaign=world.campaign, name="rule")
    return world.reminder_rule


def values_for(route: Route, world) -> dict[str, str]:
    """Real values for a route's arguments, taken from the world."""
    namespace = route.key.rsplit(":", 1)[0] if ":" in route.key else ""
    values = {
        "page_id": world.course.pk,
        "parent_page_id": world.course.pk,
        "page_to_move_id": world.lesson.pk,
        "destination_id": world.course.pk,
        "course_id": world.course.pk,
        "lesson_id": world.lesson.pk,
        "code": world.certificate.code,
        "content_type_app_name": "courses",
        "content_type_model_name": "lessonpage",
        "app_label": "courses",
        "model_name": "topic",
        "app_name": "courses",
        "image_id": world.image.pk,
        "document_id": world.document.pk,
        "doc_id": world.document.pk,
        "redirect_id": world.redirect.pk,
        "collection_id": world.collection.pk,
        "kind": "aggregates",
        "fmt": "csv",
        "filter_spec": "original",
    }
    target = NAMESPACE_OBJECTS.get(namespace)
    if target == "learner":
        values["pk"] = world.users["learner"].pk
    elif target is not None:
        values["pk"] = getattr(world, target).pk
    if route.key == "campaigns_join":
        values["code"] = world.campaign.join_code
    if namespace == "training_sessions":
        values["pk"] = _training_session(world).pk
    if route.key == "training_sessions:figures":
        values["pk"] = world.campaign.pk
    if route.key.startswith("training_sessions:report"):
        values["pk"], values["fmt"] = world.office.pk, "xlsx"
    if namespace == "reminders":
        values["pk"] = _reminder_rule(world).pk
    if route.key == "sessions_check_in_session":
        values["public_id"] = _training_session(world).public_id
    if route.key.startswith("wagtail_localize:") and "snippet" in route.key:
        values["pk"] = world.topic.pk
    if route.key == "campaigns:export_download":
        values["pk"] = world.export.pk
    if route.key.startswith("wagtailadmin_workflows:") and "task" in route.key:
        values["pk"] = world.task.pk
        values["task_id"] = world.task.pk
    if route.key.startswith("wagtailsettings:"):
        values["app_name"], values["model_name"] = "cms", "sitesettings"
    return {key: str(value) for key, value in values.items()}


REVIEWERS = frozenset({"officer_elsewhere", "officer", "administrator"})  # publish, manage files
DASHBOARD_A = frozenset({"trainer", "officer", "administrator"})  # the trainer's cohort is in A
EXPORTER = frozenset({"officer"})  # an export file is for the person who made it
GET_REFUSED = NOBODY  # POST-only views, or views that need a state the world does not have

# First matching row wins; patterns are fnmatch globs over the URL name (or route when unnamed).
RULES = [
    # --- public ---
    Rule("healthz", EVERYONE, "load balancer probe, no data"),
    Rule("set_language", EVERYONE),
    Rule("javascript-catalog", EVERYONE),
    Rule("learners_service_worker", EVERYONE),
    Rule("learners_web_manifest", EVERYONE),
    Rule("learners_offline", EVERYONE, "the offline fallback page"),
    Rule("learners_offline_manifest", EVERYONE, "a published course's files, public as it is"),
    Rule("campaigns_join_form", EVERYONE),
    Rule("campaigns_join", EVERYONE, "what a code opens; joining needs sign-in (POST)"),
    Rule("sessions_check_in", SIGNED_IN, "a learner types a session's code (issue 20)"),
    Rule("sessions_check_in_session", SIGNED_IN, "the QR's unguessable link; check-in is a POST"),
    Rule("certificates:*", EVERYONE, "verification by code is public by design (0032/0033)"),
    Rule("wagtail_serve", EVERYONE, "published pages"),
    Rule("wagtaildocs_serve", EVERYONE, "documents are public files (none named here)"),
    Rule("wagtaildocs_authenticate_with_password", EVERYONE),
    Rule("wagtailcore_authenticate_with_password", EVERYONE),
    Rule("wagtailadmin_sprite", EVERYONE, "icons"),
    Rule("wagtailadmin_javascript_catalog", EVERYONE),
    Rule("wagtailadmin_password_reset*", GET_REFUSED, "off: staff reset through allauth"),
    # --- sign-in pages (allauth): reachable by the people they are for ---
    Rule("account_login", EVERYONE),
    Rule("account_signup", EVERYONE),
    Rule("account_request_login_code", EVERYONE),
    Rule("account_inactive", EVERYONE),
    Rule("account_email_verification_sent", EVERYONE),
    Rule("account_reset_password*", EVERYONE),
    Rule("account_confirm_email", EVERYONE),
    Rule("account_logout", EVERYONE, "signed out already: sent home"),
    Rule("account_*", SIGNED_IN, "a signed-in person's own account pages"),
    Rule("mfa_deactivate_totp", GET_REFUSED, "nothing to deactivate without TOTP"),
    Rule("mfa_generate_recovery_codes", SIGNED_IN),
    Rule("mfa_*_recovery_codes", GET_REFUSED, "no codes before TOTP is set up"),
    Rule("mfa_*", SIGNED_IN),
    Rule("usersessions_list", SIGNED_IN, "only the person's own sessions"),
    Rule("admin_login_redirect", GET_REFUSED, "signed-in people are not sent to sign in again"),
    Rule("wagtailadmin_login", GET_REFUSED),
    Rule("wagtailcore_login", GET_REFUSED),
    Rule("frontend_login_redirect", GET_REFUSED),
    # --- the learner's own pages ---
    Rule("accounts_sign_in_link*", EVERYONE, "a reminder's one-time link; sign-in is a POST"),
    Rule("accounts_register_learner", frozenset({"trainer", "administrator"}), "admin"),
    Rule("accounts_*", SIGNED_IN, "profile, consent, data download, deletion: always one's own"),
    Rule("learners_my_learning", SIGNED_IN),
    Rule("learners_api_progress", GET_REFUSED, "POST only; see test_progress_is_written_only_*"),
    Rule("learners_course_start", GET_REFUSED, "POST only"),
    Rule("learners_lesson_read", GET_REFUSED, "POST only"),
    Rule("learners_lesson_quiz", GET_REFUSED, "POST only"),
    # --- the admin: our rooms ---
    Rule("audit_log:index*", ADMIN),
    Rule("audit_log:inspect", ADMIN),
    Rule("audit_log:*", NOBODY, "append-only: nobody adds, edits or deletes entries"),
    Rule("certificate_registry:index*", REVIEWERS),
    Rule("certificate_registry:print", REVIEWERS),
    Rule("certificate_registry:inspect", OFFICERS_HERE),
    Rule("certificate_registry:revoke", OFFICERS_HERE),
    Rule("certificate_registry:reissue", OFFICERS_HERE),
    Rule("certificate_registry:print_*", GET_REFUSED, "no print batch in the world"),
    Rule("certificate_registry:*", NOBODY, "issued by the system, revoked, never edited"),
    Rule("campaigns:index*", REVIEWERS),
    Rule("campaigns:add", REVIEWERS),
    Rule("campaigns:exports", REVIEWERS),
    Rule("campaigns:dashboard", DASHBOARD_A),
    Rule("campaigns:export_download", EXPORTER),
    Rule("campaigns:roster_preview", GET_REFUSED, "no roster in the world"),
    Rule("campaigns:*", OFFICERS_HERE),
    Rule("training_sessions:index", STAFF, "each sees the sessions of the cohorts in scope"),
    Rule("training_sessions:new", STAFF, "the cohort list is scoped"),
    Rule("training_sessions:detail", DASHBOARD_A, "the trainer's cohort is in A"),
    Rule("training_sessions:code", DASHBOARD_A),
    Rule("training_sessions:figures", DASHBOARD_A, "a campaign's attendance figures"),
    Rule("training_sessions:report*", OFFICERS_HERE, "monthly report of an office (logged)"),
    Rule("training_sessions:*", GET_REFUSED, "tick, walk-in, sync: POST only"),
    Rule("reminders:index", STAFF, "only the user's own rules are listed"),
    Rule("reminders:new", STAFF, "campaigns and cohorts offered are the user's own"),
    Rule("reminders:calls", STAFF, "only the user's cohorts, numbers masked"),
    Rule("reminders:toggle", GET_REFUSED, "POST only"),
    Rule("reminders:*", OFFICERS_HERE, "a rule of the campaign owned by county A's office"),
    Rule("cohorts:index*", STAFF),
    Rule("cohorts:add", REVIEWERS),
    Rule("cohorts:inspect", DASHBOARD_A),
    Rule("cohorts:*", OFFICERS_HERE),
    Rule("program_offices:index*", REVIEWERS),
    Rule("program_offices:inspect", OFFICERS_HERE),
    Rule("program_offices:dashboard", OFFICERS_HERE),
    Rule("program_offices:export", OFFICERS_HERE),
    Rule("program_offices:*", ADMIN),
    Rule("regions:index*", REVIEWERS),
    Rule("regions:inspect", OFFICERS_HERE),
    Rule("regions:search", REVIEWERS, "the picker searches each officer's own subtree"),
    Rule("regions:add", NOBODY, "regions come from the official code list"),
    Rule("regions:delete", NOBODY),
    Rule("regions:*", ADMIN),
    Rule("courses_review_submit", EDITORS, "anyone who may edit the course (issue 13)"),
    Rule("courses_review", EDITORS, "approve buttons only for the reviewing groups"),
    Rule("courses_pack_export", EDITORS, "a course pack for those who may edit the course"),
    Rule("courses_pack_import", EDITORS, "arrives as drafts for review"),
    # --- the admin: Wagtail's own areas ---
    Rule("wagtailusers_groups:delete", NOBODY, "the roles are fixed (core/roles.py)"),
    Rule("wagtailusers_*", ADMIN),
    Rule("wagtailsites:delete", NOBODY, "the only site cannot be deleted"),
    Rule("wagtailsites:*", ADMIN),
    Rule("wagtaillocales:delete", NOBODY, "the default locale cannot be deleted"),
    Rule("wagtaillocales:*", ADMIN),
    Rule("wagtailredirects:process_import", GET_REFUSED),
    Rule("wagtailredirects:*", ADMIN),
    Rule("wagtailadmin_workflows:task_chooser*", STAFF),
    Rule("wagtailadmin_workflows:task_chosen", STAFF),
    Rule("wagtailadmin_workflows:select_task_type", ADMIN),
    Rule("wagtailadmin_workflows:add_task", GET_REFUSED),
    Rule("wagtailadmin_workflows:enable*", GET_REFUSED),
    Rule("wagtailadmin_workflows:disable*", NOBODY, "the one workflow stays enabled"),
    Rule("wagtailadmin_workflows:remove", GET_REFUSED),
    Rule("wagtailadmin_workflows:*", ADMIN),
    Rule("wagtailadmin_collections:delete", GET_REFUSED, "the root collection"),
    Rule("wagtailadmin_collections:*", NOBODY, "one root collection, nobody manages it"),
    Rule("wagtailmedia:index", STAFF, "staff upload, choose and replace lesson audio"),
    Rule("wagtailmedia:add", STAFF),
    Rule("wagtailmedia:chooser", STAFF),
    Rule("wagtailmedia:chooser_typed", STAFF),
    Rule("wagtailmedia:chooser_upload", STAFF, "upload from the chooser, as with images"),
    Rule("wagtailmedia:*", GET_REFUSED),
    Rule("courses_narration_record", GET_REFUSED, "POST only: the editor's recorder"),
    Rule("wagtailadmin_reports:locked_pages*", REVIEWERS),
    Rule("wagtailadmin_reports:*", STAFF),
    Rule("wagtailadmin_pages:delete", ADMIN),
    Rule("wagtailadmin_pages:unpublish", REVIEWERS),
    Rule("wagtailadmin_pages:move", REVIEWERS),
    Rule("wagtailadmin_pages:set_privacy", REVIEWERS),
    Rule("wagtailadmin_pages:revisions_unschedule", GET_REFUSED),
    Rule("wagtailadmin_pages:choose_parent", GET_REFUSED),
    Rule("wagtailadmin_pages:convert_alias", GET_REFUSED, "the course is not an alias"),
    Rule("wagtailadmin_pages:set_page_position", GET_REFUSED),
    Rule("wagtailadmin_pages:lock", GET_REFUSED),
    Rule("wagtailadmin_pages:unlock", GET_REFUSED),
    Rule("wagtailadmin_pages:*", STAFF, "trainers author every course (page permissions)"),
    # The world's image and document are office A's (its collection, decision 0120): its officers
    # change them, officers of other offices and trainers do not.
    Rule("wagtaildocs:edit", OFFICERS_HERE),
    Rule("wagtaildocs:delete", OFFICERS_HERE),
    Rule("wagtaildocs:document_usage", OFFICERS_HERE),
    Rule("wagtaildocs:add_multiple", STAFF),
    Rule("wagtaildocs:*multiple*", GET_REFUSED),
    Rule("wagtaildocs:*", STAFF),
    Rule("wagtailimages:edit", OFFICERS_HERE),
    Rule("wagtailimages:delete", OFFICERS_HERE),
    Rule("wagtailimages:preview", OFFICERS_HERE),
    Rule("wagtailimages:image_usage", OFFICERS_HERE),
    Rule("wagtailimages:url_generator*", GET_REFUSED, "no dynamic image serve view"),
    Rule("wagtailimages:add_multiple", STAFF),
    Rule("wagtailimages:*multiple*", GET_REFUSED),
    Rule("wagtailimages:*", STAFF),
    Rule("wagtailsnippets_courses_topic:delete", ADMIN),
    Rule("wagtailsnippets_courses_topic:*", STAFF),
    Rule("wagtailsnippetchoosers_*", STAFF),
    Rule("wagtailsnippets:index", STAFF),
    Rule("wagtaildocs_chooser:chosen", OFFICERS_HERE, "choose only in one's own collections"),
    Rule("wagtaildocs_chooser:*", STAFF),
    Rule("wagtailimages_chooser:chosen", OFFICERS_HERE),
    Rule("wagtailimages_chooser:select_format", OFFICERS_HERE),
    Rule("wagtailimages_chooser:*", STAFF),
    Rule("wagtailembeds:*", STAFF),
    Rule("wagtailforms:index*", STAFF),
    Rule("wagtailforms:*", GET_REFUSED, "no form pages"),
    Rule("wagtailsettings:*", GET_REFUSED, "no site settings registered"),
    Rule("wagtailadmin_api:*:find", GET_REFUSED, "needs a query"),
    Rule("wagtailadmin_api:*", STAFF, "the admin's own JSON API (published content, files)"),
    Rule("wagtail_localize:submit_*_translation", STAFF),
    Rule("wagtail_localize:translations_report*", STAFF),
    Rule("wagtail_localize:snippets_api_*", STAFF),
    Rule("wagtail_localize:javascript_catalog", STAFF),
    Rule("wagtail_localize:*", GET_REFUSED, "need a translation object, POST, or an alias"),
    Rule("wagtail_bulk_action", GET_REFUSED),
    Rule("wagtailadmin_editing_sessions:*", GET_REFUSED),
    Rule("wagtailadmin_block_preview", GET_REFUSED),
    Rule("wagtailadmin_tag_model_autocomplete", GET_REFUSED),
    Rule("wagtailadmin_logout", GET_REFUSED, "POST only"),
    Rule("wagtailadmin_error_test", STAFF, "Wagtail's deliberate 500, to check the error page"),
    Rule("admin/test404/", STAFF, "Wagtail's 404 test page"),
    Rule("admin/^.*/$", GET_REFUSED, "the admin's catch-all 404"),
    Rule("wagtailadmin_*", STAFF, "home, explorer, choosers, account"),
]
DELIBERATE_ERRORS = {"wagtailadmin_error_test"}


def rule_for(route: Route) -> Rule | None:
    for rule in RULES:
        if fnmatch.fnmatchcase(route.key, rule.pattern):
            return rule
    return None


ALL_ROUTES = routes()


def test_every_url_has_a_row():
    missing = sorted({route.key for route in ALL_ROUTES if rule_for(route) is None})
    assert not missing, f"URLs without a row in the access matrix: {missing}"


def test_every_row_is_used():
    used = {rule_for(route).pattern for route in ALL_ROUTES if rule_for(route)}
    assert [rule.pattern for rule in RULES if rule.pattern not in used] == []


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    return world_module.build(django_capture_on_commit_callbacks)


@pytest.mark.parametrize("role", world_module.ROLES)
def test_each_role_reaches_only_its_rows(world, role):
    client = Client(raise_request_exception=False)
    user = world.users[role]
    failures = []
    for route in ALL_ROUTES:
        rule = rule_for(route)
        url, real = fill(route, values_for(route, world))
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        seen = outcome(response)
        if seen == "error" and route.key not in DELIBERATE_ERRORS:
            failures.append((route.key, url, "server error", response.status_code))
        elif role not in rule.allowed and seen != "refused":
            failures.append((route.key, url, "should be refused", response.status_code))
        elif role in rule.allowed and real and seen == "refused" and rule.allowed:
            failures.append((route.key, url, "should be allowed", response.status_code))
    assert not failures, "\n".join(map(str, failures))
