"""The registry behind "download my data" and "delete my account".

Each room that stores personal data registers, from its AppConfig.ready():
  - an exporter `collect(user) -> dict` (JSON-serialisable) under a section name, and
  - an eraser `erase(user) -> None` that removes or anonymises that room's personal data.
The accounts room's own data is always exported first and erased last (the user row is kept,
anonymised, so anonymous aggregates keyed on it survive).
"""

from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser

Exporter = Callable[[AbstractBaseUser], dict]
Eraser = Callable[[AbstractBaseUser], None]

_exporters: dict[str, Exporter] = {}
_erasers: list[Eraser] = []


def register_exporter(section: str, exporter: Exporter) -> None:
    """Add `exporter`'s dict under `section` in every learner's data download (idempotent)."""
    _exporters[section] = exporter


def register_eraser(eraser: Eraser) -> None:
    """Run `eraser(user)` when a learner deletes their account (idempotent)."""
    if eraser not in _erasers:
        _erasers.append(eraser)


def unregister(function: Callable) -> None:
    """Remove a registered exporter or eraser (tests use it to clean up)."""
    for section, exporter in list(_exporters.items()):
        if exporter is function:
            del _exporters[section]
    if function in _erasers:
        _erasers.remove(function)


def exporters() -> dict[str, Exporter]:
    """The registered exporters by section name."""
    return dict(_exporters)


def erasers() -> list[Eraser]:
    """The registered erasers in registration order."""
    return list(_erasers)
