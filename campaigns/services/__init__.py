"""Writes of the campaigns room; one module per subject, public names re-exported here."""

from .joining import (
    CODE_EXPIRED,
    CODE_UNKNOWN,
    JoinTarget,
    campaign_enroll,
    campaign_join,
    join_target,
    join_target_check,
)
from .regions import ImportRejected, RegionImportResult, RowError, region_import
from .roster import RosterFileError, roster_preview, roster_validate

__all__ = [
    "CODE_EXPIRED",
    "CODE_UNKNOWN",
    "ImportRejected",
    "JoinTarget",
    "RegionImportResult",
    "RosterFileError",
    "RowError",
    "campaign_enroll",
    "campaign_join",
    "join_target",
    "join_target_check",
    "region_import",
    "roster_preview",
    "roster_validate",
]
