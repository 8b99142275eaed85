"""A small asyncio HTTP/1.1 load generator (no dependencies): closed loop, fixed concurrency.

Each simulated client opens a connection, sends one request, reads the response to the end
(gunicorn's sync workers close the connection after each response) and starts the next one.
"""

import asyncio
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlparse

from . import percentile


@dataclass
class Outcome:
    """Latencies (ms) of answered requests, and errors by kind."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    bytes: int = 0

    @property
    def requests_per_second(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def summary(self) -> dict:
        """req/s, p50/p95 (ms), answered requests, errors."""
        lat = self.latencies
        return {
            "requests": len(lat),
            "requests_per_s": round(self.requests_per_second, 1),
            "p50_ms": round(percentile(lat, 50), 1) if lat else None,
            "p95_ms": round(percentile(lat, 95), 1) if lat else None,
            "errors": dict(self.errors),
            "error_count": sum(self.errors.values()),
            "mean_response_bytes": round(self.bytes / len(lat)) if lat else 0,
            "seconds": round(self.seconds, 2),
        }


def request_bytes(method: str, url: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    """The raw bytes of one HTTP/1.1 request with `Connection: close`."""
    parsed = urlparse(url)
    target = parsed.path + (f"?{parsed.query}" if parsed.query else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parsed.netloc}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def status_of(response: bytes) -> int:
    """The status code of a raw HTTP response (0 if unreadable)."""
    try:
        return int(response.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0


def _unchunk(body: bytes) -> bytes:
    out, rest = [], body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out.append(rest[:size])
        rest = rest[size + 2 :]
    return b"".join(out)


def parse(response: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers (lower-case names, in order) and the decoded body of a raw response."""
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip().lower(), value.strip()))
    found = dict(headers)
    if found.get("transfer-encoding", "").lower() == "chunked":
        body = _unchunk(body)
    if found.get("content-encoding", "").lower() == "gzip":
        body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
    return status_of(response), headers, body


async def exchange(host: str, port: int, payload: bytes, timeout: float = 30) -> bytes:
    """Send one `Connection: close` request and read the whole response (raises OSError or
    TimeoutError)."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        writer.write(payload)
        await writer.drain()
        return await asyncio.wait_for(reader.read(-1), timeout=timeout)
    finally:
        writer.close()


async def _client(host, port, make: Callable[[], bytes], deadline: float, outcome: Outcome):
    while time.perf_counter() < deadline:
        payload = make()
        started = time.perf_counter()
        try:
            response = await exchange(host, port, payload)
        except (OSError, TimeoutError) as exc:
            outcome.errors[type(exc).__name__] = outcome.errors.get(type(exc).__name__, 0) + 1
            continue
        status = status_of(response)
        if 200 <= status < 300:
            outcome.latencies.append((time.perf_counter() - started) * 1000)
            outcome.bytes += len(response)
        else:
            key = f"HTTP {status}"
            outcome.errors[key] = outcome.errors.get(key, 0) + 1


async def _run(url: str, make, concurrency: int, seconds: float) -> Outcome:
    parsed = urlparse(url)
    outcome = Outcome()
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(
            _client(parsed.hostname, parsed.port, make, deadline, outcome)
            for _ in range(concurrency)
        )
    )
    outcome.seconds = time.perf_counter() - started
    return outcome


def hammer(
    url: str, make: Callable[[], bytes], *, concurrency: int = 4, seconds: float = 10
) -> Outcome:
    """Send requests made by `make()` to `url`'s server for `seconds` with `concurrency` clients."""
    return asyncio.run(_run(url, make, concurrency, seconds))
