"""Writes of the campaigns room; one module per subject, public names re-exported here."""

from .regions import ImportRejected, RegionImportResult, RowError, region_import

__all__ = ["ImportRejected", "RegionImportResult", "RowError", "region_import"]
