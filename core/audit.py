"""The audit log: who exported, revoked or changed a role, when and from where.

Other rooms record their own actions with `audit_record` (campaigns/audit.py for exports,
learners/certificates/audit.py for revocations); role changes are recorded here from the
`m2m_changed` signal of `User.groups`, because Wagtail's user
editor and `manage.py` scripts change groups without going through any service of ours
(docs/decisions/0052-audit-log.md).
"""

from typing import Any

from allauth.core import context
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.http import HttpRequest

from .models import AuditLog

ROLE_ADDED = "role.added"
ROLE_REMOVED = "role.removed"
USER_DEACTIVATED = "user.deactivated"


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # The same trusted-proxy rule as the sign-in rate limits, so a forged header is not recorded.
    from allauth.core.internal.httpkit import get_client_ip

    try:
        return get_client_ip(request)
    except ImproperlyConfigured:  # a proxy count that does not match must not block the action
        return None


def _json_safe(details: dict[str, Any] | None) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder))


def audit_record(
    *,
    actor=None,
    action: str,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditLog:
    """Append one entry to the audit log; actor and IP default to the current request's."""
    request = request or context.request
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    return AuditLog.objects.create(
        actor=actor,
        actor_label=actor.get_username() if actor is not None else "",
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        details=_json_safe(details),
        ip=_client_ip(request),
    )


def _record_role_change(action: str, user, group_names: list[str]) -> None:
    for name in sorted(group_names):
        audit_record(action=action, target=user, details={"group": name})


def on_user_groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """Record every group a user joins or leaves, from either side of the relation."""
    if action == "pre_clear":
        # After a clear the removed rows are gone: remember them now.
        if reverse:
            instance._audit_cleared = list(instance.user_set.all())
        else:
            instance._audit_cleared = list(instance.groups.values_list("name", flat=True))
        return
    if action == "post_clear":
        cleared = getattr(instance, "_audit_cleared", [])
        if reverse:
            for user in cleared:
                _record_role_change(ROLE_REMOVED, user, [instance.name])
        else:
            _record_role_change(ROLE_REMOVED, instance, cleared)
        return
    if action not in ("post_add", "post_remove") or not pk_set:
        return
    kind = ROLE_ADDED if action == "post_add" else ROLE_REMOVED
    if reverse:
        for user in get_user_model().objects.filter(pk__in=pk_set):
            _record_role_change(kind, user, [instance.name])
    else:
        names = list(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
        _record_role_change(kind, instance, names)


EXPORT_REQUESTED = "export.requested"
CERTIFICATE_REVOKED = "certificate.revoked"


def action_label(action: str) -> str:
    """The action as a person reads it; a code without a label (a test's, an old one) as is."""
    from django.utils.translation import gettext

    labels = {
        ROLE_ADDED: gettext("Role added"),
        ROLE_REMOVED: gettext("Role removed"),
        USER_DEACTIVATED: gettext("Account deactivated"),
        EXPORT_REQUESTED: gettext("Export requested"),
        CERTIFICATE_REVOKED: gettext("Certificate revoked"),
    }
    return labels.get(action, action)
