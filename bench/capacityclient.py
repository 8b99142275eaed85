"""The capacity run's learners at a real pace: `python -m bench.capacityclient plan.json`.

One asyncio process, no Django, raw HTTP/1.1 through `bench.hammer.exchange` (gunicorn's sync
workers close each connection, so a pool would not help), gzip accepted as a phone accepts it.
Every learner of the plan, from their own address (X-Forwarded-For; the server trusts one proxy)
and with the session an earlier sign-in left on their phone:
1. starts at a random moment of the first page interval, continues a random course (the course's
   start button: enrols if needed, redirects to the next lesson), then opens one page every
   30–90 s: the next lesson, and My learning after a course's last lesson;
2. posts the events of the pages opened since the previous batch (opened, read, the quiz with
   right answers) once a minute, as the offline queue does, with client-made UUIDs; a batch whose
   answer is lost is retried as is (idempotent ids);
3. if the plan says so, signs in afresh by SMS code at its moment (a new phone or a cleared
   browser: the form, ask for a code, read it from the server's SMS spool, enter it, land on My
   learning), then goes on with the new session.
At the deadline every learner sends its last batch. Writes one JSON line to stdout: per request
name the answered latencies' percentiles and the statuses, per learner the events the server
accepted and the events sent, sign-in outcomes, and this process's own CPU time.
"""

import asyncio
import json
import random
import resource
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlparse

from bench.hammer import exchange, parse, request_bytes
from bench.smscode import codes_in

PLAN: dict = {}
LESSON, PROGRESS = "lesson page", "progress POST"


class Tally:
    """What every request came to, by name."""

    def __init__(self):
        self.latencies: dict[str, list[float]] = {}
        self.statuses: dict[str, dict[str, int]] = {}
        self.per_second: dict[int, int] = {}
        self.accepted: dict[str, int] = {}
        self.sent: dict[str, int] = {}
        self.unconfirmed = self.retries = self.signed_in = 0
        self.sign_in_failed: dict[str, int] = {}

    def record(self, name: str, status: str, ms: float | None) -> None:
        by_status = self.statuses.setdefault(name, {})
        by_status[status] = by_status.get(status, 0) + 1
        if ms is not None:
            self.latencies.setdefault(name, []).append(ms)
        second = int(time.monotonic() - STARTED)
        self.per_second[second] = self.per_second.get(second, 0) + 1


TALLY = Tally()
STARTED = time.monotonic()


class Spool:
    """Tails the server's SMS spool file once for every learner waiting for a code."""

    def __init__(self, path: str):
        self.path, self.offset, self.seen = Path(path), 0, 0
        self.codes: dict[str, tuple[int, str]] = {}

    async def tail(self) -> None:
        while True:
            with self.path.open("rb") as handle:
                handle.seek(self.offset)
                chunk = handle.read()
            complete = chunk.rfind(b"\n") + 1
            if complete:
                self.offset += complete
                for phone, code in codes_in(chunk[:complete].decode()):
                    self.seen += 1
                    self.codes[phone] = (self.seen, code)
            await asyncio.sleep(0.25)

    async def code_after(self, phone: str, seen: int, timeout: float = 60) -> str | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.codes.get(phone)
            if found and found[0] > seen:
                return found[1]
            await asyncio.sleep(0.25)
        return None


class Browser:
    """One phone's cookies and address; `request` sends one request and records it."""

    def __init__(self, address: str, cookies: dict[str, str]):
        self.cookies = dict(cookies)
        self.headers = {
            "X-Forwarded-For": address,
            "Accept-Language": "zh-CN",
            "Accept-Encoding": "gzip",
        }

    async def request(self, method: str, path: str, name: str, body: bytes = b"", **headers):
        """(status, headers, body); status 0 when the connection failed or timed out."""
        host, port = PLAN["host"], PLAN["port"]
        sent = {**self.headers, **headers}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        payload = request_bytes(method, f"http://{host}:{port}{path}", sent, body)
        started = time.perf_counter()
        try:
            raw = await exchange(host, port, payload, timeout=PLAN["timeout_seconds"])
        except (OSError, TimeoutError) as exc:
            TALLY.record(name, type(exc).__name__, None)
            return 0, {}, b""
        ms = (time.perf_counter() - started) * 1000
        status, pairs, content = parse(raw)
        for header, value in pairs:
            if header == "set-cookie":
                self._cookie(value)
        TALLY.record(name, str(status), ms if status < 400 else None)
        return status, dict(pairs), content

    def _cookie(self, header: str) -> None:
        pair, _, attributes = header.partition(";")
        key, _, value = pair.partition("=")
        gone = "max-age=0" in attributes.lower().replace(" ", "") or not value.strip('"')
        if gone:
            self.cookies.pop(key.strip(), None)
        else:
            self.cookies[key.strip()] = value.strip()

    async def form(self, path: str, data: dict, name: str):
        body = urlencode({**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
        return await self.request(
            "POST",
            path,
            name,
            body.encode(),
            **{
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{PLAN['host']}:{PLAN['port']}{path}",
            },
        )


class Learner:
    """One simulated learner for the length of the run."""

    def __init__(self, me: dict, spool: Spool, rng: random.Random):
        self.me, self.spool, self.rng = me, spool, rng
        self.browser = Browser(me["address"], me["cookies"])
        self.pending: list[dict] = []
        course = rng.randrange(len(PLAN["courses"]))
        self.course, self.lesson = course, rng.randrange(len(PLAN["courses"][course]["lessons"]))
        self.started_course = False

    def _event(self, lesson: dict, kind: str, **extra) -> dict:
        at = datetime.now(UTC).isoformat()
        return {"id": str(uuid.uuid4()), "lesson": lesson["id"], "kind": kind, "at": at, **extra}

    async def run(self, deadline: float) -> None:
        low, high = PLAN["page_seconds"]
        sign_in_at = self.me.get("sign_in_at")
        sign_in_at = None if sign_in_at is None else STARTED + sign_in_at
        start_at = STARTED + self.rng.uniform(0, high)
        if sign_in_at is not None and sign_in_at < start_at:
            await asyncio.sleep(max(0.0, sign_in_at - time.monotonic()))
            sign_in_at = None
            await self.sign_in()
        await asyncio.sleep(max(0.0, start_at - time.monotonic()))
        next_batch = time.monotonic() + self.rng.uniform(0, PLAN["batch_seconds"])
        while time.monotonic() < deadline:
            if sign_in_at is not None and time.monotonic() >= sign_in_at:
                sign_in_at = None
                await self.sign_in()
            await self.page()
            next_page = time.monotonic() + self.rng.uniform(low, high)
            while (now := time.monotonic()) < min(next_page, deadline):
                if sign_in_at is not None and now >= sign_in_at:
                    break
                if now >= next_batch:
                    await self.flush()
                    next_batch += PLAN["batch_seconds"]
                    continue
                wake = min(next_page, next_batch, deadline)
                if sign_in_at is not None:
                    wake = min(wake, sign_in_at)
                await asyncio.sleep(max(0.0, wake - now))
        await self.flush()

    async def page(self) -> None:
        course = PLAN["courses"][self.course]
        if not self.started_course:
            self.started_course = True
            await self.browser.form(course["start_url"], {}, "start course (enrols, redirects)")
            return
        if self.lesson >= len(course["lessons"]):
            await self.browser.request("GET", PLAN["me_url"], "my learning")
            self.course = (self.course + 1) % len(PLAN["courses"])
            self.lesson, self.started_course = 0, False
            return
        lesson = course["lessons"][self.lesson]
        status, _, _ = await self.browser.request("GET", lesson["url"], LESSON)
        if status == 200:
            self.pending += [self._event(lesson, "opened"), self._event(lesson, "read")]
            if lesson["answers"]:
                answers = {"answers": lesson["answers"]}
                self.pending.append(self._event(lesson, "quiz", data=answers))
            self.lesson += 1

    async def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        phone = self.me["phone"]
        TALLY.sent[phone] = TALLY.sent.get(phone, 0) + len(batch)
        body = json.dumps({"events": batch}).encode()
        for attempt in range(PLAN["batch_attempts"]):
            status, _, content = await self.browser.request(
                "POST",
                PLAN["progress_url"],
                PROGRESS if attempt == 0 else "progress POST (retry)",
                body,
                **{
                    "Content-Type": "application/json",
                    "X-CSRFToken": self.browser.cookies.get("csrftoken", ""),
                },
            )
            if status == 200:
                accepted = json.loads(content).get("accepted", 0)
                TALLY.accepted[phone] = TALLY.accepted.get(phone, 0) + accepted
                return
            if 400 <= status < 500:
                break  # refused: the same batch would be refused again
            TALLY.retries += 1
            await asyncio.sleep(2)
        TALLY.unconfirmed += 1

    def _failed(self, why: str) -> bool:
        TALLY.sign_in_failed[why] = TALLY.sign_in_failed.get(why, 0) + 1
        return False

    async def sign_in(self) -> bool:
        """Phone + SMS code through allauth, from a browser with no cookies; then My learning."""
        await self.flush()
        self.browser.cookies = {}
        await self.browser.request("GET", PLAN["login_code_url"], "sign-in: form")
        seen = self.spool.seen
        status, headers, _ = await self.browser.form(
            PLAN["login_code_url"], {"phone": self.me["phone"]}, "sign-in: ask for a code"
        )
        if status not in (200, 302):
            return self._failed(f"ask HTTP {status}")
        code = await self.spool.code_after(self.me["phone"], seen)
        if code is None:
            return self._failed("no SMS code")
        status, headers, _ = await self.browser.form(
            PLAN["login_confirm_url"], {"code": code}, "sign-in: enter the code"
        )
        if status != 302 or "/accounts/" in headers.get("location", ""):
            return self._failed(f"confirm HTTP {status} → {headers.get('location', '')}")
        status, headers, _ = await self.browser.request("GET", PLAN["me_url"], "my learning")
        if status != 200:
            return self._failed(f"My learning after the code: HTTP {status}")
        TALLY.signed_in += 1
        return True


def _spread(values: list[float]) -> dict:
    ordered = sorted(values)

    def at(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))], 1)

    if not ordered:
        return {"n": 0}
    return {"n": len(ordered), "p50": at(50), "p95": at(95), "p99": at(99), "max": at(100)}


async def _main() -> dict:
    global STARTED
    rng = random.Random(PLAN["seed"])
    spool = Spool(PLAN["sms_spool"])
    spool.offset = Path(PLAN["sms_spool"]).stat().st_size
    tailer = asyncio.create_task(spool.tail())
    STARTED = time.monotonic()
    deadline = STARTED + PLAN["seconds"]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    learners = [Learner(me, spool, random.Random(rng.random())) for me in PLAN["learners"]]
    await asyncio.gather(*(learner.run(deadline) for learner in learners))
    tailer.cancel()
    wall = time.monotonic() - STARTED
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    requests = sum(sum(s.values()) for s in TALLY.statuses.values())
    return {
        "learners": len(learners),
        "seconds": round(wall, 1),
        "requests": requests,
        "requests_per_s": round(requests / wall, 1),
        "peak_requests_in_a_second": max(TALLY.per_second.values(), default=0),
        "latencies_ms": {name: _spread(v) for name, v in TALLY.latencies.items()},
        "statuses": TALLY.statuses,
        "accepted": TALLY.accepted,
        "sent": TALLY.sent,
        "retries": TALLY.retries,
        "unconfirmed": TALLY.unconfirmed,
        "sign_ins_planned": sum(1 for me in PLAN["learners"] if me.get("sign_in_at") is not None),
        "signed_in": TALLY.signed_in,
        "sign_in_failed": TALLY.sign_in_failed,
        "generator_cpu_seconds": round(cpu, 2),
        "generator_cpu_share_of_one_core": round(cpu / wall, 3),
    }


def main(path: str) -> int:
    PLAN.update(json.loads(Path(path).read_text()))
    parsed = urlparse(PLAN["base"])
    PLAN["host"], PLAN["port"] = parsed.hostname, parsed.port
    print(json.dumps(asyncio.run(_main())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
