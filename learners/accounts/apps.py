from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "learners.accounts"
    label = "accounts"
    verbose_name = _("Learner accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core import privacy

        from . import links

        privacy.register_eraser(links.sign_in_links_erase)
