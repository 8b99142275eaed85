"""An empty production site: roles with all their permissions, home page and catalog (issue 21).

Used by `manage.py setup_site` (docs/deployment.md, step 7). No demo content: no courses,
campaigns or accounts other than the first administrator the command creates.
"""

import importlib
import logging
import pkgutil
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.module_loading import import_string
from wagtail.models import Page, Site

from core.roles import ROLES, create_roles

OUR_APPS = ("core", "cms", "campaigns", "courses", "learners")
logger = logging.getLogger(__name__)


def role_permissions_grant() -> None:
    """Create missing roles and give them every permission our apps' data migrations grant.

    After `migrate` the roles have them already; a database whose roles were lost (flushed) would
    otherwise get only the shell's permissions back. The migrations' own `grant` steps are replayed
    (idempotent), so no list of permissions is copied here.
    """
    if Group.objects.filter(name__in=ROLES).count() < len(ROLES):
        create_roles(apps, None)
    for config in apps.get_app_configs():
        if not config.name.startswith(OUR_APPS):
            continue
        try:
            package = importlib.import_module(f"{config.name}.migrations")
        except ModuleNotFoundError:
            continue
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            grant = getattr(module, "grant", None)
            if not callable(grant):
                continue
            try:
                with transaction.atomic():
                    grant(apps, None)
            except LookupError as error:
                # A permission another package creates in its own migrations (wagtail-localize's
                # submit_translation) is gone from a flushed database, or an old migration names
                # a model that has since moved (campaigns/0003: core/0002 grants those again):
                # grant the rest.
                logger.info("%s: %s", module.__name__, error)


def empty_site() -> Page:
    """Roles, home page and course catalog in zh-Hans and English, at SITE_URL's host; returns home.

    The root page and collection come first (a database that lost the migrations' rows gets them
    back): the roles' permissions hang on them.
    """
    import_string("cms.demo.load_site")()
    role_permissions_grant()
    zh, en = import_string("core.demo.ensure_locales")()
    catalog = import_string("courses.demo.load_catalog")(zh, en)
    home = catalog.get_parent().specific
    parts = urlsplit(settings.SITE_URL)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    site = Site.objects.filter(is_default_site=True).first()
    if site is not None and site.hostname in ("localhost", "") and parts.hostname:
        site.hostname, site.port = parts.hostname, port
        site.site_name = settings.WAGTAIL_SITE_NAME
        site.save(update_fields=["hostname", "port", "site_name"])
    return home
