from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearnersConfig(AppConfig):
    name = "learners"
    verbose_name = _("Learners")

    def ready(self) -> None:
        from core import privacy

        from .privacy import learning_erase, learning_export

        privacy.register_exporter("learning_progress", learning_export)
        privacy.register_eraser(learning_erase)
