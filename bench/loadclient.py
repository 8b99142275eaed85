"""The load run's simulated learners (locust, as a library): `python -m bench.loadclient plan.json`.

Runs in its own process without Django (locust patches the standard library for gevent). Each
simulated learner, from their own address (X-Forwarded-For; the server trusts one proxy):
1. signs in with phone + SMS code (the code is read from the server's SMS spool file);
2. takes the plan's courses in turn: starts the course (enrols, opens the next lesson), and for
   each lesson opens the page, "reads" (think time), and posts the lesson's events (opened, read,
   and the quiz with right answers) as one JSON batch with client-made UUIDs; now and then the
   same batch is posted again, as an offline queue replaying, which must add nothing;
3. when every course is finished, opens My learning and revisits lessons (an `opened` event each).
A batch whose response is lost is retried as is (idempotent ids) until the server answers.
Stops starting steps at the deadline, lets requests in flight finish, then writes JSON to stdout:
per-request-name figures, status counts, and per learner the events the server accepted.
"""

import json
import random
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import gevent
from locust import FastHttpUser, constant, events, task
from locust.env import Environment
from locust.exception import StopUser

from bench.smscode import code_for

PLAN: dict = {}
STATE = {
    "deadline": 0.0,
    "learners": [],
    "statuses": {},
    "latencies": {},
    "accepted": {},
    "sent": {},
    "replays": 0,
    "replay_added": 0,
    "retries": 0,
    "unconfirmed": 0,
    "signed_in": 0,
    "sign_in_failed": {},
    "courses_finished": 0,
    "learners_finished": 0,
}


def _count(table: dict, key, n: int = 1) -> None:
    table[key] = table.get(key, 0) + n


@events.request.add_listener
def _on_request(request_type, name, response_time, response_length, response, exception, **kw):
    status = getattr(response, "status_code", 0) or 0
    _count(
        STATE["statuses"].setdefault(name, {}), str(status) if status else type(exception).__name__
    )
    if status and status < 400:
        STATE["latencies"].setdefault(name, []).append(response_time)


def _spool_code(phone: str, after: int, timeout: float = 60) -> str | None:
    """The newest code sent to `phone` after byte `after` of the spool file."""
    spool = Path(PLAN["sms_spool"])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with spool.open("rb") as handle:
            handle.seek(after)
            found = code_for(phone, handle.read().decode())
        if found:
            return found
        gevent.sleep(0.2)
    return None


def _think(low: float, high: float) -> None:
    gevent.sleep(random.uniform(low, high))


class Learner(FastHttpUser):
    wait_time = constant(0)
    network_timeout = 120.0
    connection_timeout = 60.0

    def on_start(self):
        self.me = STATE["learners"].pop()
        self.headers = {"X-Forwarded-For": self.me["address"], "Accept-Language": "zh-CN"}
        self.signed_in = self._sign_in()

    def _csrf(self) -> str:
        for cookie in self.client.cookiejar:
            if cookie.name == "csrftoken":
                return cookie.value
        return ""

    def _form(self, url: str, data: dict, name: str):
        return self.client.post(
            url,
            data={**data, "csrfmiddlewaretoken": self._csrf()},
            headers={**self.headers, "Referer": self.host + url},
            name=name,
        )

    def _sign_in(self) -> bool:
        phone = self.me["phone"]
        self.client.get(PLAN["login_code_url"], headers=self.headers, name="sign-in: form")
        spool = Path(PLAN["sms_spool"])
        before = spool.stat().st_size if spool.exists() else 0
        sent = self._form(PLAN["login_code_url"], {"phone": phone}, "sign-in: ask for a code")
        if sent.status_code != 200:
            _count(STATE["sign_in_failed"], f"ask HTTP {sent.status_code}")
            return False
        code = _spool_code(phone, before)
        if code is None:
            _count(STATE["sign_in_failed"], "no SMS code")
            return False
        confirm = self._form(PLAN["login_confirm_url"], {"code": code}, "sign-in: enter the code")
        if confirm.status_code != 200 or "/accounts/login" in str(confirm.url):
            _count(STATE["sign_in_failed"], f"confirm HTTP {confirm.status_code} {confirm.url}")
            return False
        me = self.client.get(PLAN["me_url"], headers=self.headers, name="my learning")
        if me.status_code != 200 or "/accounts/login" in str(me.url):
            _count(STATE["sign_in_failed"], "not signed in after the code")
            return False
        STATE["signed_in"] += 1
        return True

    def _post_events(self, batch: list[dict], *, replay: bool = False) -> None:
        body = json.dumps({"events": batch})
        if not replay:
            _count(STATE["sent"], self.me["phone"], len(batch))
        for _attempt in range(6):
            with self.client.post(
                PLAN["progress_url"],
                data=body,
                headers={
                    **self.headers,
                    "Content-Type": "application/json",
                    "X-CSRFToken": self._csrf(),
                },
                name="progress POST (replay)" if replay else "progress POST",
                catch_response=True,
            ) as response:
                if response.status_code == 200:
                    accepted = response.json().get("accepted", 0)
                    _count(STATE["accepted"], self.me["phone"], accepted)
                    if replay:
                        STATE["replays"] += 1
                        STATE["replay_added"] += accepted
                    return
                response.failure(f"HTTP {response.status_code}")
            if 400 <= response.status_code < 500:
                break  # refused: retrying the same batch would be refused again
            STATE["retries"] += 1
            gevent.sleep(2)
        STATE["unconfirmed"] += 1

    def _event(self, lesson: dict, kind: str, **extra) -> dict:
        at = datetime.now(UTC).isoformat()
        return {"id": str(uuid.uuid4()), "lesson": lesson["id"], "kind": kind, "at": at, **extra}

    def _lesson(self, lesson: dict) -> None:
        self.client.get(lesson["url"], headers=self.headers, name="lesson page")
        _think(*PLAN["read_seconds"])
        batch = [self._event(lesson, "opened"), self._event(lesson, "read")]
        if lesson["answers"]:
            batch.append(self._event(lesson, "quiz", data={"answers": lesson["answers"]}))
        self._post_events(batch)
        if random.random() < PLAN["replay_share"]:
            self._post_events(batch, replay=True)

    @task
    def learn(self):
        if not self.signed_in:
            raise StopUser()
        for course in PLAN["courses"]:
            if time.time() >= STATE["deadline"]:
                raise StopUser()
            self._form(course["start_url"], {}, "start course (opens next lesson)")
            for lesson in course["lessons"]:
                if time.time() >= STATE["deadline"]:
                    raise StopUser()
                self._lesson(lesson)
            STATE["courses_finished"] += 1
            self.client.get(PLAN["me_url"], headers=self.headers, name="my learning")
            _think(*PLAN["read_seconds"])
        STATE["learners_finished"] += 1
        lessons = [lesson for course in PLAN["courses"] for lesson in course["lessons"]]
        while time.time() < STATE["deadline"]:
            lesson = random.choice(lessons)
            self.client.get(lesson["url"], headers=self.headers, name="lesson page (revisit)")
            self._post_events([self._event(lesson, "opened")])
            _think(*PLAN["read_seconds"])
        raise StopUser()


def main(path: str) -> int:
    PLAN.update(json.loads(Path(path).read_text()))
    STATE["learners"] = list(reversed(PLAN["learners"]))
    users = len(PLAN["learners"])
    environment = Environment(user_classes=[Learner], events=events, host=PLAN["base"])
    runner = environment.create_local_runner()
    started = time.time()
    STATE["deadline"] = started + PLAN["seconds"]
    runner.start(users, spawn_rate=users / PLAN["ramp_seconds"])
    # Every learner stops at the deadline after the request in flight; then give stragglers
    # (a retried batch) a grace period before stopping the runner.
    gevent.sleep(PLAN["seconds"] + 2)
    grace = time.time() + PLAN["grace_seconds"]
    while runner.user_count and time.time() < grace:
        gevent.sleep(0.5)
    stragglers = runner.user_count
    runner.quit()
    seconds = time.time() - started
    totals = environment.stats.total
    print(
        json.dumps(
            {
                "users": users,
                "seconds": round(seconds, 1),
                "stopped_with_users_running": stragglers,
                "requests": totals.num_requests,
                "failures": totals.num_failures,
                "requests_per_s": round(totals.num_requests / seconds, 1),
                "statuses": STATE["statuses"],
                "latencies_ms": STATE["latencies"],
                "accepted": STATE["accepted"],
                "sent": STATE["sent"],
                "replays": STATE["replays"],
                "replay_added": STATE["replay_added"],
                "retries": STATE["retries"],
                "unconfirmed": STATE["unconfirmed"],
                "signed_in": STATE["signed_in"],
                "sign_in_failed": STATE["sign_in_failed"],
                "courses_finished": STATE["courses_finished"],
                "learners_finished": STATE["learners_finished"],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
