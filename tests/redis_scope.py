"""One Redis server, several pytest-xdist workers: each worker keeps to its own keys.

`make test` runs the suite in parallel workers (pytest-xdist). When the suite runs against a real
Redis (REDIS_URL, as in CI), every worker shares the same Redis databases, so the test settings
give each worker a key prefix (its id, `gw0`, `gw1`, ...) for the cache and for the Celery broker
(kombu's `global_keyprefix`). Celery workers that a test starts inherit PYTEST_XDIST_WORKER and
read the same settings, so they consume only their own worker's queue.

django-redis's `clear()` is FLUSHDB, which would wipe the other workers' rate limits and sessions
in the middle of their tests; the client below deletes only the keys under this worker's prefix.
"""

from django_redis.client import DefaultClient


class PrefixScopedClient(DefaultClient):
    """`cache.clear()` deletes this cache's own keys (KEY_PREFIX), not the whole Redis database."""

    def clear(self, client=None) -> None:
        if client is None:
            client = self.get_client(write=True)
        pattern = f"{self._backend.key_prefix}:*"
        batch = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)
