"""One request at a time on the live server when the test database is in-memory SQLite.

pytest-django hands the test's own connection to the live server when the database is in-memory
SQLite (another connection would see an empty database), and Django's threaded test server then
uses that one connection in every request thread. A page that fires two requests at once (a
progress POST while the next page loads) interleaves two transactions on one connection and fails
with "database table is locked". A real deployment has a connection per thread (SQLite file in
WAL mode, or PostgreSQL), so the lock belongs to the tests, not to the application. On
PostgreSQL each request thread has its own connection and nothing is serialised.
"""

import threading

import pytest


@pytest.fixture
def serial_live_server(live_server):
    """The live server answers one request at a time when it shares the test's SQLite connection."""
    thread = live_server.thread
    if not thread.connections_override:
        yield live_server
        return
    httpd = thread.httpd
    app = httpd.get_app()
    lock = threading.Lock()

    def one_at_a_time(environ, start_response):
        with lock:
            response = app(environ, start_response)
            # Read the body inside the lock too: a lazy body may still query the database.
            body = b"".join(response)
            if hasattr(response, "close"):
                response.close()
            return [body]

    httpd.set_app(one_at_a_time)
    yield live_server
    httpd.set_app(app)
