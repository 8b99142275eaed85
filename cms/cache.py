"""A database cache that never evicts a live entry (decision 0075).

allauth keeps its rate limits and lockouts in the default cache. Django's file, local-memory and
database caches all *cull*: past MAX_ENTRIES they delete a share of the entries, live or not, so
anyone able to write a few hundred cache keys (anonymous code requests from many addresses) could
erase a lockout or an SMS counter. This backend deletes only entries that have expired; live
entries stay until their own timeout. It is the embedded default's cache; production uses Redis
(with ``maxmemory-policy noeviction``, docs/deployment.md).

The table is created by a migration (``cms.SecurityCacheEntry``), so ``createcachetable`` is not
needed and the test databases have it too.
"""

from django.core.cache.backends.db import DatabaseCache
from django.db import connections

TABLE = "dvc_security_cache"


class NonEvictingDatabaseCache(DatabaseCache):
    """Django's DatabaseCache whose culling removes expired rows only."""

    def _cull(self, db, cursor, now, num):
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        cursor.execute(
            f"DELETE FROM {table} WHERE {connection.ops.quote_name('expires')} < %s",  # noqa: S608
            [connection.ops.adapt_datetimefield_value(now)],
        )
