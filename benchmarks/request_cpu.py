"""Where a Slack request's CPU time goes: whole requests by kind, beside the parts they are made of.

Usage: python benchmarks/request_cpu.py [--repeat 300] [--seed 0]

Runs the app in this process with its listeners called inline (no thread pool, no HTTP server),
so that time.process_time() counts exactly the app's own work; the fake Web API runs in a child
process, as in benchmarks/http_load.py. Each row is the mean CPU per operation over --repeat
operations, after a warm-up:

  whole requests   signed request -> the app's WSGI callable -> listener -> Web API calls,
                   for our app and, in the same run, for the bare-Bolt floor app
                   (benchmarks/_floor.py: the same Web API calls and nothing else, on Bolt's
                   own WSGI adapter), with the ratio, per kind and for the benchmark's mix
  floors           the same path with nothing of ours in it: Bolt answering a command with
                   a bare ack(), one Web API call, one response_url post, as slack_sdk makes them
  our parts        search and compose an answer; render it as Block Kit; one data file write

The floors are what any request costs with this stack before our own code runs; compare them
with the whole requests (and with the app CPU per request that http_load.py reports, which adds
the HTTP server and thread switching) to see what is left to cut.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _app import SIGNING_SECRET, app_settings  # noqa: E402
from _slack import FakeSlackProcess, Job, TrafficMaker, load_questions  # noqa: E402

KINDS = ("command", "mention", "click", "register")
MIX = {"command": 4.0, "mention": 3.0, "click": 1.5, "register": 1.5}  # as http_load's default


class InlineExecutor(Executor):
    """Runs each submitted listener at once, in the caller's thread."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def cpu_ms(operation: Callable[[int], object], repeat: int, warm: int = 20) -> float:
    """Mean CPU milliseconds of `operation(i)` over `repeat` calls, after `warm` calls."""
    for i in range(warm):
        operation(i)
    started = time.process_time()
    for i in range(warm, warm + repeat):
        operation(i)
    return (time.process_time() - started) / repeat * 1000


def post(application: Any, job: Job) -> None:
    """Send `job` to a WSGI callable as Slack would (signed now); it must answer 200."""
    body = job.body.encode()
    headers = job.headers(SIGNING_SECRET)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": headers["Content-Type"],
    }  # fmt: skip
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    statuses: list[str] = []
    for _ in application(environ, lambda status, headers, exc=None: statuses.append(status)):
        pass
    if not statuses or not statuses[0].startswith("200"):
        raise RuntimeError(f"{job.kind} {job.key}: {statuses}")


def requests_cpu(application: Any, jobs: list[Job], repeat: int) -> float:
    """Mean CPU milliseconds of sending each of `jobs` (warm-up first) to `application`."""
    return cpu_ms(lambda i: post(application, jobs[i]), repeat)


def measure(
    repeat: int, seed: int, fake: FakeSlackProcess, workdir: Path
) -> tuple[list[tuple[str, float]], list[tuple[str, float, float]]]:
    """The rows of parts, and (kind, ours, floor) CPU ms per whole request."""
    import logging

    from _floor import floor_app
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient
    from slack_sdk.webhook import WebhookClient

    from bot.answers import blocks
    from bot.answers.compose import answer_question
    from bot.app import build_app
    from bot.data.events import claim_event
    from bot.server import load_services, wsgi_app
    from bot.settings import load_settings
    from bot.slack.client import web_client
    from bot.slack.gate import guarded
    from bot.slack.keepalive import PooledWebhookClient

    os.environ.update(app_settings(workdir, fake.api_url))
    logging.basicConfig(level="INFO", stream=io.StringIO())  # log lines cost what they cost
    settings = load_settings()
    services = load_services(settings)
    app = wsgi_app(build_app(settings, services, executor=InlineExecutor()), SIGNING_SECRET)
    maker = TrafficMaker(seed, fake.url, load_questions())
    floor = SlackRequestHandler(floor_app(
        WebClient(token=settings.bot_token, base_url=settings.api_url), SIGNING_SECRET,
        executor=InlineExecutor(),
    ))  # fmt: skip
    rows: list[tuple[str, float]] = []
    wholes: list[tuple[str, float, float]] = []
    for kind in KINDS:
        ours = requests_cpu(app, [maker.job(kind) for _ in range(repeat + 20)], repeat)
        bare_kind = requests_cpu(floor, [maker.job(kind) for _ in range(repeat + 20)], repeat)
        wholes.append((kind, ours, bare_kind))

    bare = App(
        client=WebClient(token=settings.bot_token, base_url=settings.api_url),
        signing_secret=SIGNING_SECRET, listener_executor=InlineExecutor(),
    )  # fmt: skip
    bare.command("/mutuals")(lambda ack: ack())
    bare_app = guarded(bare, SIGNING_SECRET)
    commands = [maker.job("command") for _ in range(repeat + 20)]
    rows.append(("floor: Bolt acks a command", requests_cpu(bare_app, commands, repeat)))
    questions = load_questions()
    index = services.index
    answers = [answer_question(index, q) for q in questions]
    message = blocks.answer_message(answers[0], 1)
    client = WebClient(token=settings.bot_token, base_url=settings.api_url)
    rows.append(("floor: one chat.postMessage", cpu_ms(
        lambda i: client.chat_postMessage(channel="C0BENCH", thread_ts="1.0", **message), repeat
    )))  # fmt: skip
    hook = WebhookClient(f"{fake.url}/response/K9999999")
    rows.append(("floor: one response_url post", cpu_ms(
        lambda i: hook.send_dict(dict(message, response_type="ephemeral")), repeat
    )))  # fmt: skip
    pooled = web_client(settings)
    rows.append(("ours: one chat.postMessage, keep-alive", cpu_ms(
        lambda i: pooled.chat_postMessage(channel="C0BENCH", thread_ts="1.0", **message), repeat
    )))  # fmt: skip
    pooled_hook = PooledWebhookClient(f"{fake.url}/response/K9999999")
    rows.append(("ours: one response_url post, keep-alive", cpu_ms(
        lambda i: pooled_hook.send_dict(dict(message, response_type="ephemeral")), repeat
    )))  # fmt: skip
    rows.append(("ours: answer a question", cpu_ms(
        lambda i: answer_question(index, questions[i % len(questions)]), repeat
    )))  # fmt: skip
    rows.append(("ours: render an answer (Block Kit)", cpu_ms(
        lambda i: blocks.answer_message(answers[i % len(answers)], i), repeat
    )))  # fmt: skip
    now = datetime.now(UTC)
    rows.append(("ours: one data file write", cpu_ms(
        lambda i: claim_event(services.data, f"EvBENCH{i}", now), repeat
    )))  # fmt: skip
    return rows, wholes


def print_table(
    rows: Iterable[tuple[str, float]], wholes: Sequence[tuple[str, float, float]], repeat: int
) -> None:
    print(f"\nCPU per whole request, mean of {repeat} (ms), this process only\n")
    print(f"{'request':<24}{'ours':>8}{'bare Bolt':>11}{'ratio':>8}")
    print("-" * 51)
    for kind, ours, floor in wholes:
        print(f"{kind:<24}{ours:>8.2f}{floor:>11.2f}{ours / floor:>8.2f}")
    total = sum(MIX.values())
    ours_mix = sum(MIX[k] * o for k, o, _ in wholes) / total
    floor_mix = sum(MIX[k] * f for k, _, f in wholes) / total
    print(
        f"{'the benchmark mix':<24}{ours_mix:>8.2f}{floor_mix:>11.2f}{ours_mix / floor_mix:>8.2f}"
    )
    print(f"\nCPU per operation, mean of {repeat} (ms), this process only\n")
    print(f"{'operation':<40}{'CPU ms':>8}")
    print("-" * 48)
    for name, value in rows:
        print(f"{name:<40}{value:>8.2f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--repeat", type=int, default=300, help="operations per row [300]")
    parser.add_argument("--seed", type=int, default=0, help="seed for the questions [0]")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    fake = FakeSlackProcess().start()
    try:
        with tempfile.TemporaryDirectory(prefix="mutuals-cpu-") as workdir:
            rows, wholes = measure(args.repeat, args.seed, fake, Path(workdir))
    finally:
        fake.stop()
    print_table(rows, wholes, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
