"""Admin pieces of the house shell: the read-only audit log for Administrators."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from core.models import AuditLog

from .admin_i18n import relabel_help_menu, relabel_reports_menu
from .security import ADMINISTRATORS

hooks.register("construct_reports_menu", relabel_reports_menu)
hooks.register("construct_help_menu", relabel_help_menu)


class AdministratorsReadOnlyPolicy(BasePermissionPolicy):
    """Administrators (and superusers) may view; nobody may add, change or delete."""

    def _is_administrator(self, user) -> bool:
        if not (user.is_authenticated and user.is_active):
            return False
        return user.is_superuser or user.groups.filter(name=ADMINISTRATORS).exists()

    def user_has_permission(self, user, action):
        return action == "view" and self._is_administrator(user)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and self._is_administrator(user)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True)
        if "view" not in actions:
            return users.none()
        return users.filter(Q(is_superuser=True) | Q(groups__name=ADMINISTRATORS)).distinct()

    def users_with_permission(self, action):
        return self.users_with_any_permission([action])


register_permission_policy(AuditLog, AdministratorsReadOnlyPolicy(AuditLog), exact_class=True)


class AuditLogViewSet(ModelViewSet):
    """Who exported, revoked or changed a role: a list and a detail view, nothing editable."""

    model = AuditLog
    icon = "history"
    menu_label = _("Audit log")
    menu_order = 900
    add_to_settings_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["at", "actor_label", "action_label", "object_type", "object_repr", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "action", "object_repr", "object_id"]
    inspect_view_fields = [
        "at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "details",
        "ip",
    ]
    # The add/edit views exist in every ModelViewSet; the policy above refuses them to everyone.
    form_fields = ["action"]


@hooks.register("register_admin_viewset")
def register_audit_log_viewset():
    return AuditLogViewSet("audit_log")
