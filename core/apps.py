from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    label = "core"
    verbose_name = _("Core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed

        from . import generation
        from .audit import on_user_groups_changed

        # What the published site shows is kept until a page, site, locale or privacy changes.
        generation.connect_signals()

        # Role changes from any editor (Wagtail's user editor, scripts) are in the audit log.
        m2m_changed.connect(
            on_user_groups_changed,
            sender=get_user_model().groups.through,
            dispatch_uid="audit_user_groups",
        )
