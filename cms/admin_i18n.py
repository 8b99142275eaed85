"""Role names in the admin's language.

The staff roles are Django groups whose stored names ("Trainers", …) are used as keys across the
code and tests, so they are not renamed; they are translated where the admin shows them instead:
everywhere a group is turned into text (choices, filters, messages), and in the groups listing,
which reads the name directly. (decision 0087)
"""

from django.contrib.auth.models import Group
from django.utils.translation import gettext, gettext_noop

# The names in core.roles, for the catalogue.
ROLE_NAMES = (
    gettext_noop("Trainers"),
    gettext_noop("Program officers"),
    gettext_noop("Administrators"),
)


def group_display_name(group: Group) -> str:
    """The group's name in the active language (stored names stay as they are)."""
    return gettext(group.name)


def patch_group_names() -> None:
    """Show group names translated in the admin."""
    from wagtail.users.views.groups import IndexView

    Group.__str__ = group_display_name
    for column in IndexView.columns:
        if column.name == "name":
            column.accessor = group_display_name


def patch_unlabelled_filters() -> None:
    """Label filters Wagtail and wagtail-localize leave to Django's field-name default.

    The chooser's locale filter and the translations report's locale filters have no label, so
    Django prints the field name ("Locale", "Source locale") in English whatever the language.
    """
    from django.utils.translation import gettext_lazy
    from wagtail.admin.forms.choosers import LocaleFilterMixin
    from wagtail_localize.views.report import TranslationsReportFilterSet

    original_init = LocaleFilterMixin.__init__

    def init_with_label(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        if "locale" in self.fields:
            self.fields["locale"].label = gettext_lazy("Locale")

    LocaleFilterMixin.__init__ = init_with_label
    filters = TranslationsReportFilterSet.base_filters
    filters["source_locale"].label = gettext_lazy("Source locale")
    filters["target_locale"].label = gettext_lazy("Target locale")
