"""The demo site, built once per test process and copied into every later test that needs it.

`manage.py bootstrap_demo` (pages in two languages, three courses with pictures and narration, a
campaign with learners and their progress) takes thousands of queries: about 16 s a call on a
loaded CI machine, and some twenty fixtures need the demo. `load_demo()` is what those fixtures
call instead of `call_command("bootstrap_demo", force=True)`:

- the first call in a process runs the real command, then copies every table's rows and the files
  it wrote (MEDIA_ROOT and its private sibling) into memory and a temporary folder;
- a later call on a database in a starting state the command has started from before in this
  process (the same row count in every table: the freshly migrated database, or the one a
  transactional test leaves after its flush) replaces the rows of every table by the copied ones
  (COPY on PostgreSQL, plain INSERTs on SQLite), moves the id sequences past them and copies the
  files into this test's MEDIA_ROOT: what the command builds, in well under a second;
- a call on a database in any other state (the test wrote something first) runs the command.

Every table is replaced, content types and permissions included, so the copied rows always agree
with each other; Django's content-type cache and Wagtail's site-root cache are cleared after a
copy. The tests of the command itself (tests/cms/test_bootstrap_demo.py, tests/courses/test_demo.py,
tests/campaigns/test_demo.py) still call the command.
"""

import atexit
import io
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction


@dataclass
class Snapshot:
    tables: list[str]
    rows: dict[str, object] = field(default_factory=dict)  # table -> COPY text or list of rows
    identities: list[tuple[str, str]] = field(default_factory=list)  # PostgreSQL (table, column)
    files: Path | None = None


_SNAPSHOTS: dict[tuple, Snapshot] = {}
_CLEAN: set[tuple] = set()  # row counts of the databases the real command started from
restored = 0  # how many copies this process made (tests/conftest.py clears caches after them)


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True))


def _signature(tables: list[str]) -> tuple[int, ...]:
    qn = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {qn(t)})" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        return tuple(cursor.fetchone())


def _private_root() -> Path:
    return Path(str(settings.MEDIA_ROOT).rstrip("/") + "-private")


def _capture(tables: list[str]) -> Snapshot:
    qn = connection.ops.quote_name
    snapshot = Snapshot(tables=tables)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            for table in tables:
                with raw.copy(f"COPY {qn(table)} TO STDOUT") as copy:
                    data = b"".join(copy)
                if data:
                    snapshot.rows[table] = data
            cursor.execute(
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema()"
                " AND (is_identity = 'YES' OR column_default LIKE 'nextval(%%')"
            )
            snapshot.identities = [row for row in cursor.fetchall() if row[0] in tables]
        else:
            for table in tables:
                cursor.execute(f"SELECT * FROM {qn(table)}")  # noqa: S608
                rows = cursor.fetchall()
                if rows:
                    snapshot.rows[table] = rows
    folder = Path(tempfile.mkdtemp(prefix="dvc-demo-snapshot-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for name, source in (("media", Path(settings.MEDIA_ROOT)), ("private", _private_root())):
        if source.is_dir():
            shutil.copytree(source, folder / name)
    snapshot.files = folder
    return snapshot


def _restore(snapshot: Snapshot) -> None:
    global restored
    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table in snapshot.tables:
            cursor.execute(f"DELETE FROM {qn(table)}")  # noqa: S608
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            for table, data in snapshot.rows.items():
                with raw.copy(f"COPY {qn(table)} FROM STDIN") as copy:
                    copy.write(data)
            if snapshot.identities:
                # Past the copied ids, never back: a rolled-back test's rows may have used them.
                moves = ", ".join(
                    f"setval(pg_get_serial_sequence('{qn(t)}', '{c}'), GREATEST("  # noqa: S608
                    f"(SELECT COALESCE(MAX({qn(c)}), 0) FROM {qn(t)}),"
                    f" nextval(pg_get_serial_sequence('{qn(t)}', '{c}'))))"
                    for t, c in snapshot.identities
                )
                cursor.execute(f"SELECT {moves}")
        else:
            for table, rows in snapshot.rows.items():
                marks = ", ".join(["%s"] * len(rows[0]))
                cursor.executemany(f"INSERT INTO {qn(table)} VALUES ({marks})", rows)  # noqa: S608
    for name, target in (("media", Path(settings.MEDIA_ROOT)), ("private", _private_root())):
        if (snapshot.files / name).is_dir():
            shutil.copytree(snapshot.files / name, target, dirs_exist_ok=True)
    restored += 1
    clear_caches()


def clear_caches() -> None:
    """Forget what this process cached about rows a copy replaced (or a rollback took back)."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Site

    ContentType.objects.clear_cache()
    Site.clear_site_root_paths_cache()


def load_demo() -> None:
    """What `call_command("bootstrap_demo", force=True)` builds, copied when it was built before."""
    from cms.management.commands import bootstrap_demo

    tables = _tables()
    key = (
        connection.vendor,
        connection.settings_dict["NAME"],
        tuple(bootstrap_demo.EXTRA_DEMO_LOADERS),
        tuple(tables),
    )
    clean = (*key, _signature(tables))
    if key in _SNAPSHOTS and clean in _CLEAN:
        _restore(_SNAPSHOTS[key])
        return
    call_command("bootstrap_demo", force=True, stdout=io.StringIO())
    _CLEAN.add(clean)
    if key not in _SNAPSHOTS:
        _SNAPSHOTS[key] = _capture(tables)
