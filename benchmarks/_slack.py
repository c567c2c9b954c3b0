"""Slack traffic for benchmarks/http_load.py: signed requests that each carry a unique key, and
the fake Web API of the tests (tests/fakeslack.py) noting when each answer arrived and for which
request. The fake runs in a process of its own (FakeSlackProcess), so that its work does not
hold up, under this process's GIL, the clients that time the requests.

Keys look like K0000042. A request's key travels where Slack would carry an id: the path of a
slash command's or button's response_url, the ts of a mention (the reply's thread_ts), and the
user id of a registration (conversations.open's `users`; the organisation named in the DM).
"""

from __future__ import annotations

import json
import multiprocessing
import random
import re
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psutil

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.answers.blocks import AnswerRef  # noqa: E402
from bot.registrations.fields import REGIONS, STAGES  # noqa: E402
from bot.registrations.views import CONSENT_VALUE, FORM_IDS, registration_modal  # noqa: E402
from bot.slack import ids  # noqa: E402
from bot.slack.ids import REGISTRATION_CALLBACK  # noqa: E402
from tests.fakeslack import BOT_ID, RESPONSE, Call, FakeSlack  # noqa: E402
from tests.slack_requests import (  # noqa: E402
    API_APP_ID,
    FORM,
    JSON,
    TEAM_ID,
    action_body,
    command_body,
    event_body,
    mention,
    sign,
)

KINDS = ("command", "mention", "click", "register")
# What each kind of request makes the app send to the Web API, slot -> exactly how many.
EXPECTED: dict[str, dict[str, int]] = {
    "command": {"response": 1},  # the answer, posted to the response_url
    "mention": {"reply": 1},  # chat.postMessage in the mention's thread
    "click": {"response": 2},  # "thanks" and the answer redrawn with the verdict
    "register": {"open": 1, "dm": 1},  # conversations.open, then the confirmation DM
}
IGNORED = frozenset({"auth.test"})  # made once at start-up, not for a request
_TS_BASE = 1_800_000_000
_KEY = re.compile(r"K[0-9]{7}")
EVAL_QUESTIONS = ROOT / "tests" / "eval" / "questions.jsonl"
FALLBACK_QUESTIONS = (
    "What is a public service mutual?",
    "How did MyCSP become a mutual joint venture?",
    "Can staff keep their civil service pension if we spin out?",
    "What does TUPE mean for staff transferring to a mutual?",
    "Can a contract be reserved for a mutual under regulation 77?",
    "What was the Mutual Pathfinder Programme?",
    "Which legal form should a spin-out use?",
    "What support is there for staff thinking of forming a mutual?",
)
_ORGANISATIONS = (
    "Leeds City Council",
    "Department for Work and Pensions",
    "NHS Kent Community Health",
    "Ministry of Defence",
    "Cornwall Council",
    "HM Courts & Tribunals Service",
)
_SERVICES = ("Adult social care", "Youth services", "Libraries", "Occupational health", "Payroll")


@dataclass(frozen=True)
class Job:
    """One request to send: its kind, its unique key, and its body (signed when sent)."""

    kind: str
    key: str
    body: str
    content_type: str

    def headers(self, secret: str) -> dict[str, str]:
        """Slack's headers for this body, signed now."""
        return sign(self.body, secret=secret, content_type=self.content_type)


def load_questions(path: Path = EVAL_QUESTIONS) -> list[str]:
    """The team's labelled questions (realistic wording, typos included), or a short list."""
    if not path.exists():
        return list(FALLBACK_QUESTIONS)
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()] or list(
        FALLBACK_QUESTIONS
    )


class TrafficMaker:
    """Makes jobs with keys numbered from 1 across the whole run, so no two share a key."""

    def __init__(self, seed: int, response_base: str, questions: list[str]) -> None:
        self.rng = random.Random(seed)
        self.response_base = response_base.rstrip("/")
        self.questions = questions
        self.serial = 0
        self._modal_blocks = registration_modal(None, None, "")["blocks"]

    def jobs(self, count: int, weights: dict[str, float]) -> list[Job]:
        """`count` jobs, kinds drawn by `weights`."""
        kinds = self.rng.choices(list(weights), weights=list(weights.values()), k=count)
        return [self.job(kind) for kind in kinds]

    def job(self, kind: str) -> Job:
        self.serial += 1
        key = f"K{self.serial:07d}"
        make = {
            "command": self._command,
            "mention": self._mention,
            "click": self._click,
            "register": self._register,
        }[kind]
        body, content_type = make(key)
        return Job(kind, key, body, content_type)

    def _question(self) -> str:
        return self.rng.choice(self.questions)

    def _response_url(self, key: str) -> str:
        return f"{self.response_base}/response/{key}"

    def _command(self, key: str) -> tuple[str, str]:
        return command_body(self._question(), self._response_url(key)), FORM

    def _mention(self, key: str) -> tuple[str, str]:
        # Each in a channel of its own, as a workspace's mentions are spread: the app posts at
        # most one message a second to a channel (bot.slack.pace), so one channel would measure
        # that pace instead of the app.
        event = mention(self._question(), ts=ts_of(key), channel=f"C{key}")
        return event_body(event, event_id=f"Ev{key}"), JSON

    def _click(self, key: str) -> tuple[str, str]:
        # Helpful on an ephemeral /mutuals answer: the payload carries no message, so the app
        # searches again to redraw it. Each click is on a different logged question.
        ref = AnswerRef(int(key[1:]), self._question(), ())
        body = action_body(
            ids.HELPFUL, ref.to_value(), self._response_url(key), block_id=ids.FEEDBACK_BLOCK
        )
        return body, FORM

    def _register(self, key: str) -> tuple[str, str]:
        fields: dict[str, object] = {
            "organisation": f"{self.rng.choice(_ORGANISATIONS)} ({key})",
            "service": self.rng.choice(_SERVICES),
            "staff_count": str(self.rng.randint(12, 4_000)),
            "region": self.rng.choice(REGIONS),
            "stage": self.rng.choice(STAGES)[0],
            "description": "We run the service for the area and want staff to own it.",
            "email": f"staff.{key.lower()}@example.gov.uk",
            "consent": True,
        }
        return view_submission_body(f"U{key}", fields, self._modal_blocks), FORM


def ts_of(key: str) -> str:
    """The message ts a mention with this key carries (the reply's thread_ts)."""
    return f"{_TS_BASE + int(key[1:])}.000100"


def key_of_ts(ts: str) -> str | None:
    try:
        return f"K{int(ts.split('.')[0]) - _TS_BASE:07d}"
    except ValueError:
        return None


def view_submission_body(user: str, fields: dict[str, object], blocks: list[Any]) -> str:
    """A form-encoded `payload=` view_submission of the registration modal, as Slack sends it."""
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID},
        "api_app_id": API_APP_ID,
        "token": "legacy-verification-token",
        "trigger_id": "1337.44.abcd",
        "view": {
            "id": f"V{user[1:]}",
            "team_id": TEAM_ID,
            "type": "modal",
            "blocks": blocks,
            "private_metadata": "",
            "callback_id": REGISTRATION_CALLBACK,
            "state": {"values": _state(fields)},
            "hash": "1700000000.abcd",
            "title": {"type": "plain_text", "text": "Register interest"},
            "root_view_id": f"V{user[1:]}",
            "app_id": API_APP_ID,
            "bot_id": BOT_ID,
        },
        "response_urls": [],
        "is_enterprise_install": False,
    }
    return urlencode({"payload": json.dumps(payload)})


def _state(fields: dict[str, object]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field, value in fields.items():
        block_id, action_id = FORM_IDS[field]
        state: dict[str, Any]
        if field == "region":
            state = {"type": "static_select", "selected_option": {"value": value}}
        elif field == "stage":
            state = {"type": "radio_buttons", "selected_option": {"value": value}}
        elif field == "consent":
            state = {"type": "checkboxes", "selected_options": [{"value": CONSENT_VALUE}]}
        else:
            state = {"type": "plain_text_input", "value": value}
        values[block_id] = {action_id: state}
    return values


def delivery_of(call: Call) -> tuple[str, str] | None:
    """(key, slot) of a Web API call the app made for one of our requests, else None."""
    if call.method == RESPONSE:
        return call.path.rsplit("/", 1)[-1], "response"
    if call.method == "conversations.open":
        users = str(call.params.get("users", ""))
        return (users[1:], "open") if _KEY.fullmatch(users[1:]) else None
    if call.method == "chat.postMessage":
        thread_ts = call.params.get("thread_ts")
        if thread_ts:
            key = key_of_ts(str(thread_ts))
            return (key, "reply") if key else None
        found = _KEY.search(str(call.params.get("text", "")))
        return (found.group(), "dm") if found else None
    return None


class _ForwardingFake(FakeSlack):
    """The tests' fake Web API, sending when each call arrived, and for which request, down
    `pipe` (the call itself only when it was not made for one of our requests)."""

    def __init__(self, pipe: Connection) -> None:
        super().__init__()
        # socketserver listens with a backlog of 5: a burst of answers would see SYNs dropped
        # and a 1 s retransmit that is the fake's delay, not the app's.
        self._server.socket.listen(256)
        self._pipe = pipe
        self._send_lock = threading.Lock()

    def _record(self, call: Call) -> None:
        at = time.perf_counter()
        delivery = delivery_of(call)
        unexpected = call if delivery is None and call.method not in IGNORED else None
        with self._send_lock:  # a Connection is not safe to share between threads
            self._pipe.send((at, delivery, unexpected))


def _run_fake(pipe: Connection, delays: dict[str, float]) -> None:
    fake = _ForwardingFake(pipe)
    fake.delays.update(delays)
    fake.start()
    pipe.send((fake.url, fake.api_url))
    try:
        pipe.recv()  # until told to stop, or the benchmark has gone
    except EOFError:
        pass
    fake.stop()


class FakeSlackProcess:
    """The fake Web API in a child process; arrivals are read back here as they happen.

    Arrival times are perf_counter readings taken in the child: on Linux that clock
    (CLOCK_MONOTONIC) is the same in every process, so they compare with this process's own.
    """

    def __init__(self, delays: dict[str, float] | None = None) -> None:
        context = multiprocessing.get_context("fork")  # before any of our threads start
        self._pipe, child = context.Pipe()
        self._process = context.Process(
            target=_run_fake, args=(child, dict(delays or {})), name="fake-slack", daemon=True
        )
        self.arrivals: dict[tuple[str, str], list[float]] = defaultdict(list)
        self._unexpected: list[tuple[float, Call]] = []
        self._count = 0
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, name="fake-reader", daemon=True)
        self.url = self.api_url = ""

    def start(self) -> FakeSlackProcess:
        self._process.start()
        self.url, self.api_url = self._pipe.recv()
        self._reader.start()
        return self

    def _read(self) -> None:
        while True:
            try:
                at, delivery, unexpected = self._pipe.recv()
            except (EOFError, OSError):
                return
            with self._lock:
                self._count += 1
                if delivery is not None:
                    self.arrivals[delivery].append(at)
                elif unexpected is not None:
                    self._unexpected.append((at, unexpected))

    def times(self, key: str, slot: str) -> list[float]:
        """Arrival times of the answers in `slot` for the request with `key`."""
        with self._lock:
            return list(self.arrivals.get((key, slot), ()))

    def unexpected_calls(self) -> list[tuple[float, Call]]:
        """(arrival time, call) of every call not made for one of our requests."""
        with self._lock:
            return list(self._unexpected)

    def call_count(self) -> int:
        with self._lock:
            return self._count

    def cpu_seconds(self) -> float:
        """CPU time the fake's process has used so far."""
        times = psutil.Process(self._process.pid).cpu_times()
        return float(times.user + times.system)

    def stop(self) -> None:
        try:
            self._pipe.send("stop")
        except OSError:
            pass
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
        self._pipe.close()
