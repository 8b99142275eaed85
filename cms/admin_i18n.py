"""Role names in the admin's language.

The staff roles are Django groups whose stored names ("Trainers", …) are used as keys across the
code and tests, so they are not renamed; they are translated where the admin shows them instead:
everywhere a group is turned into text (choices, filters, messages), and in the groups listing,
which reads the name directly. (decision 0087) Menu items that Wagtail or wagtail-localize label
once per process are relabelled for each request.
"""

import copy

from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from wagtail.utils.version import get_main_version

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


def _relabelled(items: list, label_for) -> None:
    """Replace each item `label_for(item)` names with a copy labelled in this request's language."""
    for index, item in enumerate(items):
        label = label_for(item)
        if label is not None:
            items[index] = copy.copy(item)
            items[index].label = label


def relabel_reports_menu(request, items: list) -> None:
    """wagtail-localize labels its "Translations" report with `gettext` once per process.

    Wagtail builds each menu's items on the first admin request a process serves and keeps them,
    so an item labelled eagerly speaks the language of whoever came first. Each request gets its
    own copy, labelled now.
    """
    url = reverse("wagtail_localize:translations_report")
    _relabelled(items, lambda item: gettext("Translations") if item.url == url else None)


def relabel_help_menu(request, items: list) -> None:
    """Wagtail's "What's new in Wagtail x.y" help item is labelled once per process too."""
    version = get_main_version(include_patch=False)

    def label_for(item):
        if getattr(item, "name", "") != f"whats-new-in-wagtail-{version}":
            return None
        return gettext("What's new in Wagtail %(version)s") % {"version": version}

    _relabelled(items, label_for)
