"""Fail when a model points at a model of a higher room (issue 17, docs/architecture.md).

A foreign key given as a label (`models.ForeignKey("campaigns.Cohort", ...)`) is a dependency no
import line shows: the lower room's table, migrations and queries then need the higher room. Every
concrete relation (foreign key, one-to-one, many-to-many) of a room's model must point at a model
of the same room, a room below, or a third-party app (auth's user, Wagtail's pages and images).

Run: `python lint/model_rooms.py` (make lint and .ci/run's lint step do); exit 1 on a finding.
The models are read from Django's app registry (DJANGO_SETTINGS_MODULE, default cms.settings.dev).
"""

import inspect
import os
import re
import sys
from pathlib import Path

ROOMS = ["cms", "campaigns", "learners", "courses", "core"]  # top to bottom
RANK = {room: len(ROOMS) - index for index, room in enumerate(ROOMS)}  # higher = above
ROOT = Path(__file__).resolve().parent.parent


def room_of(model) -> str | None:
    top = model._meta.app_config.name.split(".")[0]
    return top if top in RANK else None


def _where(model, field_name: str) -> str:
    """`path:line` of the field's assignment in the model's class (the class line if not found)."""
    try:
        path = Path(inspect.getsourcefile(model)).resolve()
        lines, line = inspect.getsourcelines(model)
    except (OSError, TypeError):
        return model._meta.label
    pattern = re.compile(rf"^\s+{re.escape(field_name)}\s*[:=]")
    line += next((i for i, text in enumerate(lines) if pattern.match(text)), 0)
    try:
        return f"{path.relative_to(ROOT).as_posix()}:{line}"
    except ValueError:
        return f"{path}:{line}"


def check(models) -> list[str]:
    """Each relation from a room's model to a model of a higher room, as a printable line."""
    found = []
    for model in models:
        room = room_of(model)
        if room is None:
            continue
        for field in model._meta.get_fields(include_parents=False):
            target = field.related_model if field.is_relation and field.concrete else None
            if target is None or isinstance(target, str):
                continue
            target_room = room_of(target)
            if target_room and RANK[target_room] > RANK[room]:
                found.append(
                    f"{_where(model, field.name)}: {model._meta.label}.{field.name} -> "
                    f"{target._meta.label} ({target_room} is above {room})"
                )
    return found


def main() -> int:
    import django
    from django.apps import apps

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    django.setup()
    found = check(apps.get_models())
    if found:
        print("Models pointing at a higher room (lint/model_rooms.py, docs/architecture.md):")
        print("\n".join(found))
        return 1
    print("models: every relation points at the same room, a room below, or a third-party app")
    return 0


if __name__ == "__main__":
    sys.exit(main())
