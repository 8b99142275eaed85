from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save, pre_save

        from . import admin_i18n, checks, exports, images, security  # noqa: F401
        from .celery import ensure_broker_folders

        ensure_broker_folders()
        images.limit_pillow()
        exports.patch_wagtail_exports()
        admin_i18n.patch_group_names()
        admin_i18n.patch_unlabelled_filters()
        # Session side effects that must follow any change to a user, from any editor.
        user_model = get_user_model()
        pre_save.connect(security.on_user_pre_save, sender=user_model)
        post_save.connect(security.on_user_post_save, sender=user_model)
