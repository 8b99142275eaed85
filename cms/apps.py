from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_save, pre_save

        from . import admin_i18n, audit, checks, exports, images, security  # noqa: F401
        from .celery import ensure_broker_folders

        ensure_broker_folders()
        images.limit_pillow()
        exports.patch_wagtail_exports()
        admin_i18n.patch_group_names()
        admin_i18n.patch_unlabelled_filters()
        # Audit and session side effects that must follow any change, from any editor.
        user_model = get_user_model()
        m2m_changed.connect(audit.on_user_groups_changed, sender=user_model.groups.through)
        pre_save.connect(security.on_user_pre_save, sender=user_model)
        post_save.connect(security.on_user_post_save, sender=user_model)
        # Exports and revocations are audited by receivers connected here by model label, so a save
        # from any path (admin, script, service) is recorded. campaigns and certificates could call
        # cms.audit themselves (they already import core.roles and core.links); issue 17 moves the
        # audit log into the core room, and these calls into those rooms' services.
        post_save.connect(audit.on_export_log_saved, sender="campaigns.ExportLog")
        pre_save.connect(audit.on_certificate_pre_save, sender="certificates.Certificate")
        post_save.connect(audit.on_certificate_saved, sender="certificates.Certificate")
