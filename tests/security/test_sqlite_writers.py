"""The embedded SQLite default takes 20 concurrent writers without "database is locked"."""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WRITERS = 20
TRANSACTIONS = 10

# Each writer configures Django with the project's own SQLite settings (WAL, IMMEDIATE, busy
# timeout) and runs read-then-write transactions: the pattern that fails with a deferred lock.
WRITER = """
import sys, time
from pathlib import Path
import django
from django.conf import settings
import cms.settings.base as base

settings.configure(DATABASES=base.DATABASES, INSTALLED_APPS=[], USE_TZ=True)
django.setup()
from django.db import connection, transaction

go = Path(sys.argv[2])
connection.ensure_connection()
Path(f"{go}.{sys.argv[1]}").touch()  # ready: connected and waiting at the starting line
while not go.exists():
    time.sleep(0.01)
for number in range(int(sys.argv[3])):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM progress WHERE writer = %s", [sys.argv[1]])
            seen = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO progress (writer, n, payload) VALUES (%s, %s, %s)",
                [sys.argv[1], seen, "x" * 2000],
            )
print("done", sys.argv[1])
"""


def test_twenty_concurrent_writers_never_see_database_is_locked(tmp_path):
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    database = var_dir / "db.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE progress (writer TEXT, n INTEGER, payload TEXT)")
    go = tmp_path / "go"
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["VAR_DIR"] = str(var_dir)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, f"w{index}", str(go), str(TRANSACTIONS)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(WRITERS)
    ]
    # Start them together, once every writer is connected, so that they really overlap.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(tmp_path.glob("go.*"))) < WRITERS:
        time.sleep(0.05)
    go.touch()
    outputs = [process.communicate(timeout=300) for process in processes]

    errors = [err for _out, err in outputs if err.strip()]
    assert not any("database is locked" in err for err in errors), errors[:1]
    assert [process.returncode for process in processes] == [0] * WRITERS, errors[:1]
    with sqlite3.connect(database) as db:
        journal = db.execute("PRAGMA journal_mode").fetchone()[0]
        rows = db.execute(
            "SELECT writer, COUNT(*), MAX(n) FROM progress GROUP BY writer"
        ).fetchall()
    assert journal == "wal"
    assert len(rows) == WRITERS
    # Every transaction of every writer committed once, and each saw its own earlier rows.
    assert all(count == TRANSACTIONS and last == TRANSACTIONS - 1 for _w, count, last in rows)
