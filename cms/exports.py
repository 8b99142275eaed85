"""Spreadsheet formula injection neutralised in Wagtail's own exports (reports, listings).

Wagtail 8 writes XLSX formulas back as text, but its CSV writer passes `=HYPERLINK(...)` through
unchanged. Every admin export goes through `SpreadsheetExportMixin.preprocess_field_value`, so
that one method is wrapped at start-up (docs/decisions/0054-wagtail-export-formulas.md).
"""

from functools import wraps

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell value that no spreadsheet will evaluate as a formula (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def patch_wagtail_exports() -> None:
    """Wrap Wagtail's export cell preprocessing with `neutralise`; idempotent."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    original = SpreadsheetExportMixin.preprocess_field_value
    if getattr(original, "_neutralises_formulas", False):
        return

    @wraps(original)
    def preprocess_field_value(self, field, value, export_format):
        return neutralise(original(self, field, value, export_format))

    preprocess_field_value._neutralises_formulas = True
    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value
