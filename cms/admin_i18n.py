"""Role names in the admin's language.

The staff roles are Django groups whose stored names ("Trainers", …) are used as keys across the
code and tests, so they are not renamed; they are translated where the admin shows them instead:
everywhere a group is turned into text (choices, filters, messages), and in the groups listing,
which reads the name directly. (decision 0087)
"""

from django.contrib.auth.models import Group
from django.utils.translation import gettext, gettext_noop

# The names in cms.roles, for the catalogue.
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
